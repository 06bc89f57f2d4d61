using CompressionType = Confluent.Kafka.CompressionType;
using FastLog.Client.Consumer;
using FastLog.Server.Broker;
using static FastLog.Client.Tests.Consumer.ConsumerTestKit;
using TopicPartition = FastLog.Client.Consumer.TopicPartition;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// Records produced by Confluent.Kafka (librdkafka) with every codec come back through the FastLog consumer
/// identical — keys, values, null keys and values, headers (null values included), timestamps — in offset order
/// per partition, through both the zero-copy enumerator and the deserializing ConsumeAsync.
/// </summary>
public sealed class ConsumeInteropTests
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Records_produced_by_Confluent_read_back_identically_with_every_codec(CompressionType codec)
    {
        await using FastLogBroker broker = await StartBrokerAsync(partitions: 3);
        string topic = "codec-" + codec.ToString().ToLowerInvariant();
        List<Sent> sent = await ProduceAsync(broker.BootstrapServers, topic, 3000, partitions: 3, compression: codec, valueBytes: 100);

        await using var consumer = new KafkaConsumer<string, byte[]>(Options(broker));
        consumer.Assign([new TopicPartition(topic, 0), new TopicPartition(topic, 1), new TopicPartition(topic, 2)]);
        List<Copied> read = await ReadAsync(consumer, sent.Count);

        AssertSameRecords(sent, read);
    }

    [Fact]
    public async Task ConsumeAsync_deserializes_key_value_and_copies_headers()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        List<Sent> sent = await ProduceAsync(broker.BootstrapServers, "typed", 200, compression: CompressionType.Lz4);

        await using var consumer = new KafkaConsumer<string, byte[]>(Options(broker));
        consumer.Assign([new TopicPartition("typed", 0)]);
        using var guard = new CancellationTokenSource(HangGuard);
        foreach (Sent expected in sent)
        {
            ConsumeResult<string, byte[]> result = await consumer.ConsumeAsync(guard.Token);
            Assert.Equal(expected.Offset, result.Offset);
            Assert.Equal(expected.Key, result.Key);
            Assert.Equal(expected.Value, result.Value);
            Assert.Equal(expected.Timestamp, result.Timestamp);
            Assert.Equal(expected.Headers.Select(h => h.Key), result.Headers.Select(h => h.Key));
            Assert.Equal(expected.Headers.Select(h => h.Value), result.Headers.Select(h => h.Value));
        }

        Assert.Equal(sent[^1].Offset + 1, consumer.Position(new TopicPartition("typed", 0)));
    }
}
