using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using FastLog.Interop.Tests.Support;
using FastLog.Server.Broker;

namespace FastLog.Interop.Tests;

/// <summary>Confluent.Kafka (librdkafka 2.x) against an in-process broker on 127.0.0.1.</summary>
public sealed class ConfluentKafkaTests
{
    private const int Partitions = 3;

    public static TheoryData<Acks, CompressionType> AcksAndCodecs()
    {
        var data = new TheoryData<Acks, CompressionType>();
        foreach (var acks in new[] { Acks.None, Acks.Leader, Acks.All })
        {
            foreach (var codec in new[] { CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd })
            {
                data.Add(acks, codec);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AcksAndCodecs))]
    public async Task Every_message_comes_back_intact_and_in_order(Acks acks, CompressionType codec)
    {
        await using var broker = await StartBrokerAsync();
        string topic = $"roundtrip-{acks}-{codec}".ToLowerInvariant();
        var messages = Messages(Partitions, 40, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 100_000);

        using (var producer = Kafka.Producer(Kafka.ProducerConfig(broker.BootstrapServers, acks, codec)))
        {
            var reports = Kafka.ProduceAll(producer, topic, messages);
            Assert.All(reports, r => Assert.Equal(ErrorCode.NoError, r.Error.Code));
            if (acks != Acks.None)
            {
                AssertContiguousOffsets(reports);
            }
        }

        if (acks == Acks.None)
        {
            // acks=0 reports delivery once the request is on the socket: the broker may still be
            // appending it, so wait (bounded) until every partition's end offset has caught up.
            await WaitForEndOffsetsAsync(broker.BootstrapServers, topic, messages);
        }

        var log = new ConcurrentQueue<string>();
        var read = Kafka.ReadAll(broker.BootstrapServers, topic, Partitions, log);
        AssertReadBack(messages, read);
        Kafka.AssertNoGroupRequests(log);
    }

    [Fact]
    public async Task Idempotent_producer_writes_each_message_exactly_once_in_order()
    {
        await using var broker = await StartBrokerAsync();
        const string Topic = "idempotent";
        var messages = Messages(Partitions, 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 100_000);
        var log = new ConcurrentQueue<string>();
        var config = Kafka.ProducerConfig(broker.BootstrapServers, Acks.All, CompressionType.Lz4);
        config.EnableIdempotence = true;
        config.MaxInFlight = 5;
        config.LingerMs = 1;
        config.BatchNumMessages = 20;
        config.Debug = "eos,protocol";

        using (var producer = Kafka.Producer(config, log))
        {
            var reports = Kafka.ProduceAll(producer, Topic, messages);
            Assert.All(reports, r => Assert.Equal(ErrorCode.NoError, r.Error.Code));
            Assert.All(reports, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
            AssertContiguousOffsets(reports);
        }

        // The producer really ran idempotently: it asked for a producer id and got one.
        Assert.Contains(log, line => line.Contains("Sent InitProducerIdRequest", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("OutOfOrderSequence", StringComparison.OrdinalIgnoreCase) || line.Contains("DuplicateSequence", StringComparison.OrdinalIgnoreCase));

        var read = Kafka.ReadAll(broker.BootstrapServers, Topic, Partitions);
        AssertReadBack(messages, read);
    }

    [Fact]
    public async Task Consumer_assign_seek_offsets_for_times_and_watermarks_without_a_group()
    {
        await using var broker = await StartBrokerAsync();
        const string Topic = "positions";
        long baseTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1_000_000;
        // 20 messages per partition, one second apart: timestamp of offset i is baseTime + i * 1000.
        var messages = Enumerable.Range(0, 20)
            .SelectMany(i => Enumerable.Range(0, 2).Select(p => new SentMessage(p, Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"p{p}-v{i}"), [], baseTime + (i * 1000))))
            .ToList();
        using (var producer = Kafka.Producer(Kafka.ProducerConfig(broker.BootstrapServers)))
        {
            Kafka.ProduceAll(producer, Topic, messages);
        }

        var log = new ConcurrentQueue<string>();
        using var consumer = Kafka.Consumer(Kafka.ConsumerConfig(broker.BootstrapServers), log);
        var tp0 = new TopicPartition(Topic, 0);
        var tp1 = new TopicPartition(Topic, 1);

        var watermarks = consumer.QueryWatermarkOffsets(tp0, TimeSpan.FromSeconds(30));
        Assert.Equal(0, watermarks.Low.Value);
        Assert.Equal(20, watermarks.High.Value);

        var times = consumer.OffsetsForTimes(
            [
                new TopicPartitionTimestamp(tp0, new Timestamp(baseTime + 5_500, TimestampType.CreateTime)),
                new TopicPartitionTimestamp(tp1, new Timestamp(baseTime, TimestampType.CreateTime)),
            ],
            TimeSpan.FromSeconds(30));
        Assert.Equal(6, times.Single(t => t.Partition == 0).Offset.Value);
        Assert.Equal(0, times.Single(t => t.Partition == 1).Offset.Value);
        var late = consumer.OffsetsForTimes([new TopicPartitionTimestamp(tp0, new Timestamp(baseTime + 60_000, TimestampType.CreateTime))], TimeSpan.FromSeconds(30));
        Assert.Equal(Offset.End, late.Single().Offset);

        // Assigned at its end, partition 1 reports EOF at offset 20 without a message.
        consumer.Assign([new TopicPartitionOffset(tp1, Offset.End)]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        ConsumeResult<byte[]?, byte[]?>? eof = null;
        while (eof is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "partition 1 never reached its end");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is not null)
            {
                Assert.True(result.IsPartitionEOF, $"a message at {result.TopicPartitionOffset} after assigning partition 1 at its end");
                eof = result;
            }
        }

        Assert.Equal(tp1, eof.TopicPartition);
        Assert.Equal(20, eof.Offset.Value);

        consumer.Assign([new TopicPartitionOffset(tp0, 10)]);
        var first = ConsumeMessage(consumer, tp0);
        Assert.Equal(10, first.Offset.Value);
        Assert.Equal("p0-v10", Encoding.UTF8.GetString(first.Message.Value!));
        Assert.Equal(baseTime + 10_000, first.Message.Timestamp.UnixTimestampMs);

        consumer.Seek(new TopicPartitionOffset(tp0, 3));
        var afterSeek = ConsumeMessage(consumer, tp0);
        Assert.Equal(3, afterSeek.Offset.Value);
        Assert.Equal("p0-v3", Encoding.UTF8.GetString(afterSeek.Message.Value!));
        var next = ConsumeMessage(consumer, tp0);
        Assert.Equal(4, next.Offset.Value);
        consumer.Close();
        Kafka.AssertNoGroupRequests(log);
    }

    [Fact]
    public async Task One_megabyte_messages_pass_and_an_oversize_one_is_rejected_clearly()
    {
        const int MaxBatchBytes = 1_100_000;
        await using var broker = await StartBrokerAsync(("message.max.bytes", MaxBatchBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        const string Topic = "large";
        var random = new Random(7);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var messages = Enumerable.Range(0, 6).Select(i =>
        {
            byte[] value = new byte[1 << 20];
            random.NextBytes(value);
            return new SentMessage(i % 2, Encoding.UTF8.GetBytes($"big-{i}"), value, [("h", [(byte)i])], now + i);
        }).ToList();

        var config = Kafka.ProducerConfig(broker.BootstrapServers);
        // The client must let the large messages through so that the broker is the one to judge them.
        config.MessageMaxBytes = 4_000_000;
        using var producer = Kafka.Producer(config);
        var reports = Kafka.ProduceAll(producer, Topic, messages);
        Assert.All(reports, r => Assert.Equal(ErrorCode.NoError, r.Error.Code));

        byte[] oversize = new byte[MaxBatchBytes + 100_000];
        random.NextBytes(oversize);
        var rejected = Kafka.ProduceAll(producer, Topic, [new SentMessage(0, null, oversize, [], now + 100)]).Single();
        Assert.True(rejected.Error.Code == ErrorCode.MsgSizeTooLarge && !rejected.Error.IsLocalError, $"expected the broker's MESSAGE_TOO_LARGE, got {rejected.Error.Code} (local: {rejected.Error.IsLocalError}): {rejected.Error.Reason}");
        Assert.Equal(PersistenceStatus.NotPersisted, rejected.Status);

        // The producer goes on working after the rejection, and the rejected message is nowhere.
        var after = new SentMessage(0, null, Encoding.UTF8.GetBytes("after"), [], now + 200);
        Assert.Equal(ErrorCode.NoError, Kafka.ProduceAll(producer, Topic, [after]).Single().Error.Code);

        var read = Kafka.ReadAll(broker.BootstrapServers, Topic, 2, configure: c =>
        {
            c.FetchMaxBytes = 5_000_000;
            c.MaxPartitionFetchBytes = 2_000_000;
            c.ReceiveMessageMaxBytes = 10_000_000;
        });
        AssertReadBack([.. messages, after], read);

        // A partition fetch limit far below the batch size: the broker still returns the first batch whole (KIP-74).
        var small = Kafka.ReadAll(broker.BootstrapServers, Topic, 2, configure: c => c.MaxPartitionFetchBytes = 64 * 1024);
        AssertReadBack([.. messages, after], small);
    }

    internal static Task<FastLogBroker> StartBrokerAsync(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string> { ["num.partitions"] = Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = all });
    }

    /// <summary>Keys, values and headers of every shape: null key, null and empty values, null header values, non-UTF-8 bytes.</summary>
    internal static List<SentMessage> Messages(int partitions, int perPartition, long baseTimestamp)
    {
        var messages = new List<SentMessage>();
        for (int i = 0; i < perPartition; i++)
        {
            for (int p = 0; p < partitions; p++)
            {
                byte[]? key = i % 7 == 3 ? null : Encoding.UTF8.GetBytes($"key-{p}-{i}");
                byte[]? value = (i % 11) switch
                {
                    5 => null,
                    6 => [],
                    7 => [0x00, 0xFF, 0xFE, (byte)i, (byte)p],
                    _ => Encoding.UTF8.GetBytes($"value {p}/{i} " + new string('x', i * 13)),
                };
                var headers = (i % 3) switch
                {
                    0 => new List<(string, byte[]?)>(),
                    1 => [("trace", Encoding.UTF8.GetBytes($"t{i}"))],
                    _ => [("a", [1, 2, 3]), ("nullable", null), ("a", [4])],
                };
                messages.Add(new SentMessage(p, key, value, headers, baseTimestamp + (i * 10) + p));
            }
        }

        return messages;
    }

    private static async Task WaitForEndOffsetsAsync(string bootstrap, string topic, IReadOnlyList<SentMessage> messages)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(Kafka.ConsumerConfig(bootstrap)).Build();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (int partition = 0; partition < Partitions; partition++)
        {
            int expected = messages.Count(m => m.Partition == partition);
            while (consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), TimeSpan.FromSeconds(5)).High < expected && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    internal static void AssertReadBack(IReadOnlyList<SentMessage> sent, Dictionary<int, List<ConsumeResult<byte[]?, byte[]?>>> read)
    {
        foreach (var group in sent.GroupBy(m => m.Partition))
        {
            var expected = group.ToList();
            var actual = read[group.Key];
            Assert.True(expected.Count == actual.Count, $"partition {group.Key}: sent {expected.Count}, read {actual.Count}");
            for (int i = 0; i < expected.Count; i++)
            {
                Kafka.AssertSame(expected[i], actual[i], $"partition {group.Key} message {i}");
            }
        }
    }

    internal static void AssertContiguousOffsets(IReadOnlyList<DeliveryReport<byte[]?, byte[]?>> reports)
    {
        foreach (var group in reports.GroupBy(r => r.Partition.Value))
        {
            var offsets = group.Select(r => r.Offset.Value).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => (long)i), offsets.Order());
        }
    }

    private static ConsumeResult<byte[]?, byte[]?> ConsumeMessage(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no message from {partition} within 30 s");
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result is not null && !result.IsPartitionEOF && result.TopicPartition == partition)
            {
                return result;
            }
        }
    }
}
