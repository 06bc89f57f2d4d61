using System.Globalization;
using CK = Confluent.Kafka;
using FastLog.Client.Consumer;
using FastLog.Server.Broker;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// Shared set-up of the consumer tests: an in-process broker tuned for groups (no initial rebalance delay, short
/// minimum session timeout), records produced with Confluent.Kafka, and FastLog consumer options pointing at it.
/// </summary>
internal static class ConsumerTestKit
{
    /// <summary>Only catches a call that never returns; not a speed check.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    public static Task<FastLogBroker> StartBrokerAsync(int partitions = 1) =>
        FastLogBroker.StartAsync(new FastLogBrokerOptions
        {
            Settings = new Dictionary<string, string>
            {
                ["num.partitions"] = partitions.ToString(CultureInfo.InvariantCulture),
                ["group.initial.rebalance.delay.ms"] = "0",
                ["group.min.session.timeout.ms"] = "1000",
                ["offsets.topic.num.partitions"] = "1",
            },
        });

    public static ConsumerOptions Options(FastLogBroker broker, string? groupId = null) => new()
    {
        BootstrapServers = broker.BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeout = TimeSpan.FromSeconds(10),
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
        FetchMaxWait = TimeSpan.FromMilliseconds(100),
        RequestTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>A produced record as the test expects to read it back.</summary>
    public sealed record Sent(int Partition, long Offset, string? Key, byte[]? Value, long Timestamp, List<(string Key, byte[]? Value)> Headers);

    /// <summary>
    /// Produces <paramref name="count"/> records with Confluent.Kafka (keys, values of <paramref name="valueBytes"/>,
    /// two headers, explicit timestamps) spread round-robin over <paramref name="partitions"/>, and returns them with
    /// their assigned offsets.
    /// </summary>
    public static async Task<List<Sent>> ProduceAsync(
        string bootstrap,
        string topic,
        int count,
        int partitions = 1,
        CK.CompressionType compression = CK.CompressionType.None,
        int valueBytes = 16,
        int start = 0)
    {
        var config = new CK.ProducerConfig
        {
            BootstrapServers = bootstrap,
            CompressionType = compression,
            LingerMs = 5,
            Acks = CK.Acks.All,
        };
        using var producer = new CK.ProducerBuilder<string?, byte[]?>(config).Build();
        var pending = new List<Task<CK.DeliveryResult<string?, byte[]?>>>(count);
        var random = new Random(count + start);
        long baseTimestamp = 1_700_000_000_000;
        for (int i = start; i < start + count; i++)
        {
            byte[]? value = i % 97 == 5 ? null : new byte[valueBytes];
            if (value is not null)
            {
                random.NextBytes(value);
                value[0] = (byte)i;
            }

            var headers = new CK.Headers
            {
                { "index", BitConverter.GetBytes(i) },
                { "h-null", null },
            };
            var message = new CK.Message<string?, byte[]?>
            {
                Key = i % 89 == 3 ? null : "key-" + i.ToString(CultureInfo.InvariantCulture),
                Value = value,
                Headers = headers,
                Timestamp = new CK.Timestamp(baseTimestamp + i, CK.TimestampType.CreateTime),
            };
            pending.Add(producer.ProduceAsync(new Confluent.Kafka.TopicPartition(topic, i % partitions), message));
        }

        CK.DeliveryResult<string?, byte[]?>[] results = await Task.WhenAll(pending).WaitAsync(HangGuard);
        return [.. results.Select(r => new Sent(
            r.Partition.Value,
            r.Offset.Value,
            r.Message.Key,
            r.Message.Value,
            r.Message.Timestamp.UnixTimestampMs,
            [.. r.Message.Headers.Select(h => (h.Key, h.GetValueBytes()))]))];
    }

    /// <summary>Creates <paramref name="topic"/> (auto-creation through a produce) and waits until it exists.</summary>
    public static async Task CreateTopicAsync(string bootstrap, string topic)
    {
        using var producer = new CK.ProducerBuilder<CK.Null, string>(new CK.ProducerConfig { BootstrapServers = bootstrap }).Build();
        await producer.ProduceAsync(topic, new CK.Message<CK.Null, string> { Value = "warm-up" }).WaitAsync(HangGuard);
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails after the hang guard.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        DateTime until = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out waiting until " + what);
            await Task.Delay(20);
        }
    }

    /// <summary>Reads <paramref name="count"/> records through <see cref="KafkaConsumer{TKey, TValue}.ReadAllAsync"/>, copying each.</summary>
    public static async Task<List<Copied>> ReadAsync<TKey, TValue>(KafkaConsumer<TKey, TValue> consumer, int count)
    {
        var records = new List<Copied>(count);
        using var guard = new CancellationTokenSource(HangGuard);
        if (count == 0)
        {
            return records;
        }

        await foreach (ConsumedRecord record in consumer.ReadAllAsync(guard.Token))
        {
            records.Add(Copied.From(record));
            if (records.Count == count)
            {
                break;
            }
        }

        return records;
    }

    /// <summary>A consumed record copied out of the fetch buffer.</summary>
    public sealed record Copied(string Topic, int Partition, long Offset, string? Key, byte[]? Value, long Timestamp, TimestampType TimestampType, List<(string Key, byte[]? Value)> Headers)
    {
        public static Copied From(in ConsumedRecord record)
        {
            var headers = new List<(string, byte[]?)>();
            foreach (ConsumedHeader header in record.Headers)
            {
                headers.Add((header.GetKey(), header.GetValueArray()));
            }

            return new Copied(
                record.Topic,
                record.Partition,
                record.Offset,
                record.IsKeyNull ? null : System.Text.Encoding.UTF8.GetString(record.Key.Span),
                record.IsValueNull ? null : record.Value.ToArray(),
                record.Timestamp,
                record.TimestampType,
                headers);
        }
    }

    /// <summary>Asserts that every sent record was read once with identical content, in offset order per partition.</summary>
    public static void AssertSameRecords(IReadOnlyList<Sent> sent, IReadOnlyList<Copied> read)
    {
        Assert.Equal(sent.Count, read.Count);
        foreach (IGrouping<int, Copied> partition in read.GroupBy(r => r.Partition))
        {
            long[] offsets = [.. partition.Select(r => r.Offset)];
            Assert.Equal(offsets.Order(), offsets);
        }

        var byPosition = sent.ToDictionary(s => (s.Partition, s.Offset));
        foreach (Copied record in read)
        {
            Assert.True(byPosition.Remove((record.Partition, record.Offset), out Sent? expected), $"unexpected or duplicate record {record.Partition}@{record.Offset}");
            Assert.Equal(expected!.Key, record.Key);
            Assert.Equal(expected.Value, record.Value);
            Assert.Equal(expected.Timestamp, record.Timestamp);
            Assert.Equal(TimestampType.CreateTime, record.TimestampType);
            Assert.Equal(expected.Headers.Count, record.Headers.Count);
            for (int i = 0; i < expected.Headers.Count; i++)
            {
                Assert.Equal(expected.Headers[i].Key, record.Headers[i].Key);
                Assert.Equal(expected.Headers[i].Value, record.Headers[i].Value);
            }
        }

        Assert.Empty(byPosition);
    }
}
