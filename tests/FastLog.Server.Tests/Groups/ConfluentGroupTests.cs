using System.Collections.Concurrent;
using Confluent.Kafka;
using FastLog.Server.Broker;

namespace FastLog.Server.Tests.Groups;

/// <summary>Consumer groups with a real client (Confluent.Kafka / librdkafka) against an embedded broker.</summary>
public sealed class ConfluentGroupTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static FastLogBrokerOptions Options(string? dataDirectory = null, int partitions = 6) => new()
    {
        DataDirectory = dataDirectory,
        Settings = new Dictionary<string, string>
        {
            ["group.initial.rebalance.delay.ms"] = "0",
            ["offsets.topic.num.partitions"] = "1",
            ["group.min.session.timeout.ms"] = "1000",
            ["num.partitions"] = partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };

    private static async Task ProduceAsync(string bootstrap, string topic, int partitions, int count, int start = 0)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
        for (int i = start; i < start + count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<Null, string> { Value = "m" + i });
        }

        producer.Flush(Deadline);
        await Task.CompletedTask;
    }

    private static async Task CreateTopicAsync(string bootstrap, string topic)
    {
        // Metadata with auto-creation makes the topic (num.partitions) before consumers subscribe.
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        await producer.ProduceAsync(topic, new Message<Null, string> { Value = "warm-up" });
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting until " + what);
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Three_consumers_share_six_partitions_consume_exactly_once_and_take_over_after_one_leaves()
    {
        await using var broker = await FastLogBroker.StartAsync(Options());
        const string topic = "orders";
        await CreateTopicAsync(broker.BootstrapServers, topic);
        var consumed = new ConcurrentBag<(int Partition, long Offset)>();
        var workers = Enumerable.Range(0, 3).Select(_ => new GroupWorker(broker.BootstrapServers, "g1", topic, consumed)).ToList();
        try
        {
            await WaitUntilAsync(() => workers.All(w => w.AssignedCount == 2), "each consumer has two partitions");
            int revocationsBefore = workers.Sum(w => w.RevocationCount);
            await ProduceAsync(broker.BootstrapServers, topic, 6, 30_000);
            await WaitUntilAsync(() => consumed.Distinct().Count() >= 30_001, "30,000 messages are consumed");
            await Task.Delay(500);
            Assert.Equal(30_001, consumed.Distinct().Count());
            if (workers.Sum(w => w.RevocationCount) == revocationsBefore)
            {
                // No member was rebalanced away meanwhile, so nothing may have been read twice. (A member whose
                // heartbeats starve on an overloaded machine is rebalanced, and then at-least-once is the promise.)
                Assert.Equal(30_001, consumed.Count);
            }

            int countAfterFirstPhase = consumed.Count;

            // One consumer leaves (commit + LeaveGroup); the other two take its partitions from the committed offsets.
            await workers[0].StopAsync();
            workers.RemoveAt(0);
            await WaitUntilAsync(() => workers.All(w => w.AssignedCount == 3), "the remaining consumers have three partitions each");
            await ProduceAsync(broker.BootstrapServers, topic, 6, 600, start: 30_000);
            await WaitUntilAsync(() => consumed.Count >= countAfterFirstPhase + 600, "the next 600 messages are consumed");
            await Task.Delay(500);
            Assert.Equal(countAfterFirstPhase + 600, consumed.Count);
            Assert.Equal(30_601, consumed.Distinct().Count());
        }
        finally
        {
            foreach (var w in workers)
            {
                await w.StopAsync();
            }
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("g1", null)]);
        Assert.Equal(30_601, offsets.Single().Partitions.Sum(p => p.Offset.Value));
        var listed = await admin.ListConsumerGroupsAsync();
        Assert.Contains(listed.Valid, g => g.GroupId == "g1" && g.State == ConsumerGroupState.Empty);
        await admin.DeleteGroupsAsync(["g1"]);
        var afterDelete = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("g1", [new TopicPartition(topic, 0)])]);
        Assert.Equal(Offset.Unset, afterDelete.Single().Partitions.Single().Offset);
    }

    [Fact]
    public async Task Cooperative_sticky_consumers_rebalance_incrementally_and_consume_everything_once()
    {
        await using var broker = await FastLogBroker.StartAsync(Options());
        const string topic = "coop";
        await CreateTopicAsync(broker.BootstrapServers, topic);
        var consumed = new ConcurrentBag<(int Partition, long Offset)>();
        var workers = new List<GroupWorker>();
        try
        {
            workers.Add(new GroupWorker(broker.BootstrapServers, "g2", topic, consumed, PartitionAssignmentStrategy.CooperativeSticky));
            workers.Add(new GroupWorker(broker.BootstrapServers, "g2", topic, consumed, PartitionAssignmentStrategy.CooperativeSticky));
            await WaitUntilAsync(() => workers.All(w => w.AssignedCount == 3), "two consumers with three partitions each");
            await ProduceAsync(broker.BootstrapServers, topic, 6, 600);
            await WaitUntilAsync(() => consumed.Count >= 601, "600 messages are consumed");

            workers.Add(new GroupWorker(broker.BootstrapServers, "g2", topic, consumed, PartitionAssignmentStrategy.CooperativeSticky));
            await WaitUntilAsync(() => workers.All(w => w.AssignedCount == 2), "three consumers with two partitions each");
            await ProduceAsync(broker.BootstrapServers, topic, 6, 600, start: 600);
            await WaitUntilAsync(() => consumed.Count >= 1201, "1,200 messages are consumed");
            await Task.Delay(500);
            Assert.Equal(1201, consumed.Distinct().Count());
            Assert.Equal(1201, consumed.Count);
        }
        finally
        {
            foreach (var w in workers)
            {
                await w.StopAsync();
            }
        }
    }

    [Fact]
    public async Task Committed_offsets_survive_a_broker_restart()
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "fastlog-groups-" + Guid.NewGuid().ToString("N"));
        const string topic = "restart";
        try
        {
            await using (var broker = await FastLogBroker.StartAsync(Options(dataDirectory, partitions: 1)))
            {
                await ProduceAsync(broker.BootstrapServers, topic, 1, 100);
                using var consumer = new ConsumerBuilder<Ignore, string>(ConsumerConfigFor(broker.BootstrapServers)).Build();
                consumer.Subscribe(topic);
                int read = 0;
                var until = DateTime.UtcNow + Deadline;
                while (read < 60 && DateTime.UtcNow < until)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: not null })
                    {
                        read++;
                    }
                }

                Assert.Equal(60, read);
                consumer.Commit();
                consumer.Close();
            }

            await using (var broker = await FastLogBroker.StartAsync(Options(dataDirectory, partitions: 1)))
            {
                using var consumer = new ConsumerBuilder<Ignore, string>(ConsumerConfigFor(broker.BootstrapServers)).Build();
                Assert.Equal(60, consumer.Committed([new TopicPartition(topic, 0)], Deadline).Single().Offset.Value);
                consumer.Subscribe(topic);
                ConsumeResult<Ignore, string>? first = null;
                var until = DateTime.UtcNow + Deadline;
                while (first is null && DateTime.UtcNow < until)
                {
                    first = consumer.Consume(TimeSpan.FromMilliseconds(200));
                }

                Assert.NotNull(first);
                Assert.Equal(60, first.Offset.Value);
                Assert.Equal("m60", first.Message.Value);
                consumer.Close();
            }
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static ConsumerConfig ConsumerConfigFor(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = "g3",
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 6000,
        HeartbeatIntervalMs = 300,
    };
}
