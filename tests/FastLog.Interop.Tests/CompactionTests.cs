using Confluent.Kafka;
using Confluent.Kafka.Admin;
using FastLog.Server.Broker;

namespace FastLog.Interop.Tests;

/// <summary>
/// A compacted topic through the broker, end to end: keyed overwrites and tombstones written with
/// Confluent.Kafka compact in the background to one record per live key, and a consumer reading
/// from the beginning sees exactly the latest value of every live key.
/// </summary>
public sealed class CompactionTests
{
    [Fact]
    public async Task A_compacted_topic_keeps_the_latest_record_per_key()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions
        {
            Settings = new Dictionary<string, string> { ["log.cleaner.backoff.ms"] = "100" },
        });
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = "compacted",
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = new Dictionary<string, string>
                {
                    ["cleanup.policy"] = "compact",
                    ["segment.bytes"] = "4096",
                    ["min.cleanable.dirty.ratio"] = "0.01",
                    ["delete.retention.ms"] = "0",
                },
            }]);
        }

        var expected = new Dictionary<string, string>();
        using (var producer = new ProducerBuilder<string, string?>(new ProducerConfig { BootstrapServers = broker.BootstrapServers, LingerMs = 0 }).Build())
        {
            for (int round = 0; round < 20; round++)
            {
                for (int key = 0; key < 10; key++)
                {
                    string k = $"key-{key}";
                    bool tombstone = key % 3 == 0 && round == 19;
                    string? value = tombstone ? null : $"value-{round}-{key}";
                    await producer.ProduceAsync("compacted", new Message<string, string?> { Key = k, Value = value });
                    if (tombstone)
                    {
                        expected.Remove(k);
                    }
                    else
                    {
                        expected[k] = value!;
                    }
                }
            }

            // One more segment so every overwrite above sits in closed segments the cleaner may touch.
            for (int i = 0; i < 40; i++)
            {
                await producer.ProduceAsync("compacted", new Message<string, string?> { Key = "filler", Value = new string('x', 200) });
            }

            expected["filler"] = new string('x', 200);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        Dictionary<string, string?> seen;
        int records;
        do
        {
            (seen, records) = ReadAll(broker.BootstrapServers);
            if (records <= expected.Count + 40 + 10)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        // Only the active segment may still hold overwrites; everything before it is one record per key.
        Assert.True(records < 200 + 40, $"nothing was compacted: {records} records");
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value, seen[key]);
        }

        foreach (var key in seen.Keys)
        {
            Assert.True(expected.ContainsKey(key) || seen[key] is null, $"deleted key {key} came back with a value");
        }
    }

    private static (Dictionary<string, string?> Latest, int Records) ReadAll(string bootstrap)
    {
        using var consumer = new ConsumerBuilder<string, string?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "unused",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        consumer.Assign(new TopicPartitionOffset("compacted", 0, Offset.Beginning));
        var latest = new Dictionary<string, string?>();
        int records = 0;
        while (true)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10));
            if (result is null || result.IsPartitionEOF)
            {
                return (latest, records);
            }

            latest[result.Message.Key] = result.Message.Value;
            records++;
        }
    }
}
