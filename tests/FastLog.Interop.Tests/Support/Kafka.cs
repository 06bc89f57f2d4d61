using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;

namespace FastLog.Interop.Tests.Support;

/// <summary>A message as a test sends it, to compare with what comes back.</summary>
internal sealed record SentMessage(int Partition, byte[]? Key, byte[]? Value, IReadOnlyList<(string Key, byte[]? Value)> Headers, long TimestampMs)
{
    public Message<byte[]?, byte[]?> ToMessage()
    {
        var headers = new Headers();
        foreach (var (key, value) in Headers)
        {
            headers.Add(key, value);
        }

        return new Message<byte[]?, byte[]?>
        {
            Key = Key,
            Value = Value,
            Headers = headers,
            Timestamp = new Timestamp(TimestampMs, TimestampType.CreateTime),
        };
    }
}

/// <summary>Confluent.Kafka (librdkafka) helpers: configs, producing with delivery reports, reading partitions back.</summary>
internal static class Kafka
{
    /// <summary>Group-protocol requests a consumer that only uses Assign must never send.</summary>
    public static readonly string[] GroupRequests = ["JoinGroup", "SyncGroup", "Heartbeat", "LeaveGroup", "OffsetCommit", "OffsetFetch"];

    public static ProducerConfig ProducerConfig(string bootstrap, Acks acks = Acks.All, CompressionType compression = CompressionType.None) => new()
    {
        BootstrapServers = bootstrap,
        Acks = acks,
        CompressionType = compression,
        LingerMs = 5,
        MessageTimeoutMs = 30_000,
        SocketTimeoutMs = 30_000,
        EnableIdempotence = false,
    };

    public static ConsumerConfig ConsumerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        // The .NET client insists on a group id; with Assign and no commits it must not talk to a group coordinator.
        GroupId = "interop-assign-only",
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Error,
        EnablePartitionEof = true,
        // Protocol debug so tests can check which requests the client sent.
        Debug = "protocol,cgrp",
    };

    public static IProducer<byte[]?, byte[]?> Producer(ProducerConfig config, ConcurrentQueue<string>? log = null)
    {
        var builder = new ProducerBuilder<byte[]?, byte[]?>(config);
        builder.SetLogHandler((_, m) => log?.Enqueue(m.Message));
        builder.SetErrorHandler((_, _) => { });
        return builder.Build();
    }

    public static IConsumer<byte[]?, byte[]?> Consumer(ConsumerConfig config, ConcurrentQueue<string> log)
    {
        var builder = new ConsumerBuilder<byte[]?, byte[]?>(config);
        builder.SetLogHandler((_, m) => log.Enqueue(m.Message));
        builder.SetErrorHandler((_, e) => log.Enqueue("ERROR " + e));
        return builder.Build();
    }

    /// <summary>Produces every message to its partition and waits (bounded) for all delivery reports.</summary>
    public static IReadOnlyList<DeliveryReport<byte[]?, byte[]?>> ProduceAll(IProducer<byte[]?, byte[]?> producer, string topic, IEnumerable<SentMessage> messages)
    {
        var reports = new ConcurrentQueue<DeliveryReport<byte[]?, byte[]?>>();
        int sent = 0;
        foreach (var message in messages)
        {
            producer.Produce(new TopicPartition(topic, message.Partition), message.ToMessage(), reports.Enqueue);
            sent++;
        }

        int left = producer.Flush(TimeSpan.FromSeconds(60));
        Assert.True(left == 0, $"{left} of {sent} messages still undelivered after 60 s");
        Assert.Equal(sent, reports.Count);
        return reports.ToList();
    }

    /// <summary>Reads each partition of the topic from its start to its high watermark (bounded in time).</summary>
    public static Dictionary<int, List<ConsumeResult<byte[]?, byte[]?>>> ReadAll(string bootstrap, string topic, int partitions, ConcurrentQueue<string>? log = null, Action<ConsumerConfig>? configure = null)
    {
        log ??= new ConcurrentQueue<string>();
        var config = ConsumerConfig(bootstrap);
        configure?.Invoke(config);
        using var consumer = Consumer(config, log);
        var result = new Dictionary<int, List<ConsumeResult<byte[]?, byte[]?>>>();
        var high = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        for (int p = 0; p < partitions; p++)
        {
            var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30));
            result[p] = [];
            high[p] = watermarks.High.Value;
            assignment.Add(new TopicPartitionOffset(topic, p, Offset.Beginning));
        }

        consumer.Assign(assignment);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (result.Any(r => NextOffset(r.Value) < high[r.Key]))
        {
            Assert.True(DateTime.UtcNow < deadline, $"reading {topic} back timed out: {Describe(result, high)}\n{string.Join('\n', log.TakeLast(40))}");
            var consumed = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (consumed is null || consumed.IsPartitionEOF)
            {
                continue;
            }

            result[consumed.Partition.Value].Add(consumed);
        }

        consumer.Close();
        return result;
    }

    public static void AssertSame(SentMessage expected, ConsumeResult<byte[]?, byte[]?> actual, string where)
    {
        Assert.True(Bytes(expected.Key) == Bytes(actual.Message.Key), $"{where}: key {Bytes(expected.Key)} != {Bytes(actual.Message.Key)}");
        Assert.True(Bytes(expected.Value) == Bytes(actual.Message.Value), $"{where}: value differs ({expected.Value?.Length} vs {actual.Message.Value?.Length} bytes)");
        Assert.Equal(expected.TimestampMs, actual.Message.Timestamp.UnixTimestampMs);
        Assert.Equal(TimestampType.CreateTime, actual.Message.Timestamp.Type);
        var headers = (actual.Message.Headers ?? []).Select(h => (h.Key, Bytes(h.GetValueBytes()))).ToList();
        Assert.Equal(expected.Headers.Select(h => (h.Key, Bytes(h.Value))).ToList(), headers);
    }

    /// <summary>Asserts the librdkafka debug log shows none of the group-protocol requests.</summary>
    public static void AssertNoGroupRequests(ConcurrentQueue<string> log)
    {
        var sent = log.Where(line => line.Contains("Sent ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(sent);
        foreach (string request in GroupRequests)
        {
            Assert.DoesNotContain(sent, line => line.Contains("Sent " + request + "Request", StringComparison.Ordinal));
        }
    }

    private static string Bytes(byte[]? value) => value is null ? "<null>" : Convert.ToHexString(value);

    private static long NextOffset(List<ConsumeResult<byte[]?, byte[]?>> consumed) => consumed.Count == 0 ? 0 : consumed[^1].Offset.Value + 1;

    private static string Describe(Dictionary<int, List<ConsumeResult<byte[]?, byte[]?>>> result, Dictionary<int, long> high)
    {
        var text = new StringBuilder();
        foreach (var (partition, consumed) in result)
        {
            text.Append($"[{partition}] read to {NextOffset(consumed)} of {high[partition]}; ");
        }

        return text.ToString();
    }
}
