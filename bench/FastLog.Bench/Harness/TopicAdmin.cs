using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace FastLog.Bench.Harness;

/// <summary>
/// Creates each scenario's topic through Confluent.Kafka's admin client, whatever client is under
/// test: setting up is not measured, and one path works against every broker the harness targets.
/// </summary>
internal static class TopicAdmin
{
    public static async Task CreateAsync(string bootstrap, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        try
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // A rerun with the same name: the topic is there.
        }

        // Wait until metadata shows a leader for every partition, so the first sends do not race creation.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
            var t = metadata.Topics.FirstOrDefault(x => x.Topic == topic);
            if (t is not null && !t.Error.IsError && t.Partitions.Count == partitions && t.Partitions.All(p => p.Leader >= 0))
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{topic}: not every one of {partitions} partitions has a leader after 30 s ({t?.Error})");
            }

            await Task.Delay(50);
        }
    }
}
