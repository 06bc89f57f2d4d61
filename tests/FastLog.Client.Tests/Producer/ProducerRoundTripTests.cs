using System.Text;
using FastLog.Client.Producer;
using FastLog.Client.Serialization;
using FastLog.Server.Broker;
using TimestampType = Confluent.Kafka.TimestampType;
using ConsumedRecord = Confluent.Kafka.ConsumeResult<byte[]?, byte[]?>;
using Acks = FastLog.Client.Producer.Acks;
using CompressionType = FastLog.Client.Producer.CompressionType;

namespace FastLog.Client.Tests.Producer;

/// <summary>
/// What the FastLog producer writes, read back by an independent client (Confluent.Kafka) from the in-process
/// broker: keys, values, headers and timestamps come back byte for byte, each partition in produce order; keys land
/// on the partition the Java client's murmur2 picks; every codec and every acks setting works.
/// </summary>
public sealed class ProducerRoundTripTests
{
    private static ProducerOptions Options(FastLogBroker broker, Action<ProducerOptions>? configure = null)
    {
        var options = new ProducerOptions { BootstrapServers = broker.BootstrapServers, Linger = TimeSpan.FromMilliseconds(2) };
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task Keys_values_headers_and_timestamps_come_back_identical_and_in_order()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = new Dictionary<string, string> { ["num.partitions"] = "3" } });
        const string Topic = "round-trip";
        const int Count = 3000;
        long baseTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1_000_000;
        var sent = new List<(int Partition, long Offset, byte[]? Key, byte[]? Value, Header[] Headers, long Timestamp)>();

        await using (var producer = new KafkaProducer<byte[]?, byte[]?>(Options(broker, o => o.BatchSize = 4096)))
        {
            var message = new Message<byte[]?, byte[]?>();
            var pending = new List<(Task<DeliveryResult> Task, byte[]? Key, byte[]? Value, Header[] Headers, long Timestamp)>();
            for (int i = 0; i < Count; i++)
            {
                // Null and empty keys and values are distinct; header values may repeat keys.
                byte[]? key = i % 10 == 0 ? null : i % 10 == 1 ? [] : Encoding.UTF8.GetBytes($"key-{i % 37}");
                byte[]? value = i % 17 == 0 ? null : i % 17 == 1 ? [] : Encoding.UTF8.GetBytes($"value-{i}-" + new string('x', i % 300));
                Header[] headers = i % 3 == 0
                    ? []
                    : [new Header("h", Encoding.UTF8.GetBytes($"a{i}")), new Header("h", ReadOnlyMemory<byte>.Empty), new Header("ü-key", new byte[] { 0, 255, (byte)i })];
                long timestamp = baseTime + (i * 7 % 1000) - 500;
                message.Key = key;
                message.Value = value;
                message.Headers = headers;
                message.Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestamp);
                pending.Add((producer.ProduceAsync(Topic, message).AsTask(), key, value, headers, timestamp));
            }

            foreach (var (task, key, value, headers, timestamp) in pending)
            {
                DeliveryResult result = await task.WaitAsync(ReadBack.HangGuard);
                Assert.Equal(Topic, result.Topic);
                Assert.Equal(timestamp, result.Timestamp.ToUnixTimeMilliseconds());
                sent.Add((result.Partition, result.Offset, key, value, headers, timestamp));
            }
        }

        var read = ReadBack.All(broker.BootstrapServers, Topic, 3);
        Assert.Equal(Count, read.Values.Sum(r => r.Count));
        foreach (var group in sent.GroupBy(s => s.Partition))
        {
            var expected = group.ToList();
            List<ConsumedRecord> actual = read[group.Key];
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                var (_, offset, key, value, headers, timestamp) = expected[i];
                ConsumedRecord got = actual[i];
                Assert.Equal(offset, got.Offset.Value);
                Assert.Equal(key, got.Message.Key);
                Assert.Equal(value, got.Message.Value);
                Assert.Equal(timestamp, got.Message.Timestamp.UnixTimestampMs);
                Assert.Equal(TimestampType.CreateTime, got.Message.Timestamp.Type);
                Assert.Equal(headers.Length, got.Message.Headers.Count);
                for (int h = 0; h < headers.Length; h++)
                {
                    Assert.Equal(headers[h].Key, got.Message.Headers[h].Key);
                    Assert.Equal(headers[h].Value.ToArray(), got.Message.Headers[h].GetValueBytes());
                }
            }

            // Offsets within a partition follow produce order.
            Assert.Equal(expected.Select(e => e.Offset).Order(), expected.Select(e => e.Offset));
        }
    }

    [Fact]
    public async Task Keyed_records_land_on_the_java_murmur2_partition()
    {
        const int Partitions = 7;
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = new Dictionary<string, string> { ["num.partitions"] = $"{Partitions}" } });
        await using var producer = new KafkaProducer<string, string>(Options(broker));
        var message = new Message<string, string>();
        for (int i = 0; i < 200; i++)
        {
            // Awaited one by one: each delivery's pooled source is read once and goes back with its batch.
            message.Key = $"user-{i}";
            message.Value = $"v{i}";
            DeliveryResult result = await producer.ProduceAsync("keyed", message);
            Assert.Equal(Murmur2Partitioner.Partition(Encoding.UTF8.GetBytes(message.Key), Partitions), result.Partition);
        }

        // Java's Utils.murmur2 of "foobar" is -790332482 (Kafka's UtilsTest): partition 1357151166 % 7.
        message.Key = "foobar";
        DeliveryResult foobar = await producer.ProduceAsync("keyed", message).AsTask().WaitAsync(ReadBack.HangGuard);
        Assert.Equal(1357151166 % Partitions, foobar.Partition);
    }

    [Fact]
    public async Task Records_without_a_key_stick_to_a_partition_per_batch()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = new Dictionary<string, string> { ["num.partitions"] = "4" } });
        await using var producer = new KafkaProducer<Null, string>(Options(broker, o => o.Linger = TimeSpan.FromMinutes(1)));
        var message = new Message<Null, string> { Value = "v" };

        // The first record fetches the topic's metadata; after that, appends are immediate.
        Task<DeliveryResult> first = producer.ProduceAsync("sticky", message).AsTask();
        await producer.FlushAsync().WaitAsync(ReadBack.HangGuard);
        await first;

        int previous = -1;
        for (int round = 0; round < 3; round++)
        {
            var deliveries = new List<Task<DeliveryResult>>();
            for (int i = 0; i < 50; i++)
            {
                deliveries.Add(producer.ProduceAsync("sticky", message).AsTask());
            }

            // Linger is a minute: only the flush sends the batch, so all 50 records are in one batch...
            await producer.FlushAsync().WaitAsync(ReadBack.HangGuard);
            DeliveryResult[] results = await Task.WhenAll(deliveries);
            int partition = Assert.Single(results.Select(r => r.Partition).Distinct());
            Assert.Equal(Enumerable.Range(0, 50).Select(i => results[0].Offset + i), results.Select(r => r.Offset));

            // ...and the next batch sticks to another partition (KIP-480 moves on when a batch is opened).
            Assert.NotEqual(previous, partition);
            previous = partition;
        }
    }

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Every_codec_round_trips_through_confluent_kafka(CompressionType codec)
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        string topic = $"codec-{codec}".ToLowerInvariant();
        var values = Enumerable.Range(0, 2000).Select(i => $"record {i} " + new string((char)('a' + (i % 26)), i % 200)).ToList();
        await using (var producer = new KafkaProducer<int, string>(Options(broker, o => o.Compression = codec)))
        {
            var message = new Message<int, string>();
            for (int i = 0; i < values.Count; i++)
            {
                message.Key = i;
                message.Value = values[i];
                producer.Produce(topic, 0, message);
            }

            await producer.FlushAsync().WaitAsync(ReadBack.HangGuard);
        }

        List<ConsumedRecord> read = ReadBack.All(broker.BootstrapServers, topic, 1)[0];
        Assert.Equal(values, read.Select(r => Encoding.UTF8.GetString(r.Message.Value!)));
        Assert.Equal(Enumerable.Range(0, values.Count), read.Select(r => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(r.Message.Key)));
    }

    [Theory]
    [InlineData(Acks.None)]
    [InlineData(Acks.Leader)]
    [InlineData(Acks.All)]
    public async Task Every_acks_setting_delivers(Acks acks)
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        string topic = $"acks-{(short)acks}".Replace('-', 'm');
        var reports = new List<DeliveryReport>();
        await using (var producer = new KafkaProducer<Null, string>(Options(broker, o =>
        {
            o.Acks = acks;
            o.EnableIdempotence = acks == Acks.All ? null : false;
        })))
        {
            var message = new Message<Null, string>();
            for (int i = 0; i < 500; i++)
            {
                message.Value = $"m{i}";
                producer.Produce(topic, 0, message, report =>
                {
                    lock (reports)
                    {
                        reports.Add(report);
                    }
                });
            }

            await producer.FlushAsync().WaitAsync(ReadBack.HangGuard);
        }

        Assert.Equal(500, reports.Count);
        Assert.All(reports, r => Assert.True(r.IsSuccess, r.Error?.Message));
        if (acks == Acks.None)
        {
            Assert.All(reports, r => Assert.Equal(-1, r.Result.Offset));
        }
        else
        {
            Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), reports.Select(r => r.Result.Offset));
        }

        List<ConsumedRecord> read = ReadBack.All(broker.BootstrapServers, topic, 1)[0];
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"m{i}"), read.Select(r => Encoding.UTF8.GetString(r.Message.Value!)));
    }

    [Fact]
    public async Task Large_batches_fill_up_and_many_topics_share_one_request_per_broker()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = new Dictionary<string, string> { ["num.partitions"] = "2" } });
        await using var producer = new KafkaProducer<Null, byte[]>(Options(broker, o => o.Linger = TimeSpan.FromMilliseconds(20)));
        var message = new Message<Null, byte[]> { Value = new byte[100] };
        var deliveries = new List<Task<DeliveryResult>>();
        for (int i = 0; i < 20_000; i++)
        {
            deliveries.Add(producer.ProduceAsync($"many-{i % 5}", i % 2, message).AsTask());
        }

        DeliveryResult[] results = await Task.WhenAll(deliveries).WaitAsync(ReadBack.HangGuard);
        foreach (var group in results.GroupBy(r => (r.Topic, r.Partition)))
        {
            Assert.Equal(Enumerable.Range(0, 2000).Select(i => (long)i), group.Select(r => r.Offset));
        }
    }
}
