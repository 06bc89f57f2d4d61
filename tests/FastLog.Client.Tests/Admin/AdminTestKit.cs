using Confluent.Kafka;
using FastLog.Client.Admin;
using FastLog.Server.Broker;

namespace FastLog.Client.Tests.Admin;

/// <summary>An in-process broker tuned for group tests, an admin client on it, and a Confluent.Kafka producer.</summary>
internal static class AdminTestKit
{
    /// <summary>Only catches a call that never returns (the client must not wait forever); not a speed check.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    public static Task<FastLogBroker> StartBrokerAsync(int defaultPartitions = 3) => FastLogBroker.StartAsync(new FastLogBrokerOptions
    {
        Settings = new Dictionary<string, string>
        {
            ["num.partitions"] = defaultPartitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["group.initial.rebalance.delay.ms"] = "0",
            ["offsets.topic.num.partitions"] = "1",
            ["group.min.session.timeout.ms"] = "1000",
        },
    });

    public static KafkaAdminClient NewAdmin(FastLogBroker broker) => new(new AdminOptions { BootstrapServers = broker.BootstrapServers });

    /// <summary>Writes <paramref name="count"/> records to one partition, values "0", "1", ..., with the given timestamps if any.</summary>
    public static void Produce(string bootstrap, string topic, int partition, int count, Func<int, DateTimeOffset>? timestamp = null)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 0 }).Build();
        for (int i = 0; i < count; i++)
        {
            var message = new Message<string, string> { Key = $"k{i}", Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (timestamp is not null)
            {
                message.Timestamp = new Timestamp(timestamp(i));
            }

            producer.Produce(new TopicPartition(topic, partition), message);
        }

        Assert.Equal(0, producer.Flush(HangGuard));
    }

    /// <summary>The group's description, or null while it does not exist yet (a consumer has not joined).</summary>
    public static async Task<GroupDescription?> TryDescribeAsync(KafkaAdminClient admin, string groupId)
    {
        try
        {
            return Assert.Single(await admin.DescribeGroupsAsync([groupId]));
        }
        catch (KafkaException e) when (e.Error == FastLog.Protocol.ErrorCode.GroupIdNotFound)
        {
            return null;
        }
    }

    /// <summary>Waits until the group is in <paramref name="state"/>.</summary>
    public static Task WaitForStateAsync(KafkaAdminClient admin, string groupId, GroupState state) =>
        EventuallyAsync(async () => (await TryDescribeAsync(admin, groupId))?.State == state, $"group '{groupId}' is {state}");

    /// <summary>Polls <paramref name="condition"/> until it holds; fails only if it never does within the hang guard.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (!await condition())
        {
            Assert.False(guard.IsCancellationRequested, $"never happened: {what}");
            await Task.Delay(50);
        }
    }
}
