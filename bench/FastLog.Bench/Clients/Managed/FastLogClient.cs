using FastLog.Client.Consumer;
using FastLog.Client.Producer;

namespace FastLog.Bench.Clients.Managed;

/// <summary>
/// FastLog.Client under the harness, configured like the Confluent.Kafka adapter where the two have
/// the same knob (batch size, idempotence off, a producer buffer deep enough that throughput mode
/// queues in the client as librdkafka's does, deep fetches), so a comparison measures the clients
/// and not their defaults.
/// </summary>
internal sealed class FastLogClient : IBenchClient
{
    public const string ClientName = "fastlog";

    public string Name => ClientName;

    public string Describe() =>
        $"FastLog.Client {typeof(KafkaProducer<,>).Assembly.GetName().Version?.ToString(3)}; producer `batch.size=1000000`, " +
        "`buffer.memory=1GiB`, `enable.idempotence=false`, `Produce` with a delivery handler; consumer `Assign` from offset 0 (no group), " +
        "`fetch.max.bytes=64MiB`, `max.partition.fetch.bytes=16MiB`, `fetch.max.wait.ms=10`, records read zero-copy through `ReadAllAsync`";

    public IBenchProducer CreateProducer(ProducerSettings settings, IAckSink acks) => new FastLogProducer(settings, acks);

    public IBenchConsumer CreateConsumer(ConsumerSettings settings) => new FastLogConsumer(settings);

    public static ProducerOptions ProducerOptions(ProducerSettings settings) => new()
    {
        BootstrapServers = settings.Bootstrap,
        Acks = (Acks)(short)settings.Acks,
        Linger = TimeSpan.FromMilliseconds(settings.LingerMs),
        BatchSize = 1_000_000,
        BufferMemory = 1L << 30,
        Compression = settings.Compression switch
        {
            Codec.Gzip => CompressionType.Gzip,
            Codec.Snappy => CompressionType.Snappy,
            Codec.Lz4 => CompressionType.Lz4,
            Codec.Zstd => CompressionType.Zstd,
            _ => CompressionType.None,
        },
        EnableIdempotence = false,
    };

    public static ConsumerOptions ConsumerOptions(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxBytes = 64 * 1024 * 1024,
        MaxPartitionFetchBytes = 16 * 1024 * 1024,
        FetchMaxWait = TimeSpan.FromMilliseconds(10),
    };
}
