using Confluent.Kafka;

namespace FastLog.Bench.Clients.Confluent;

/// <summary>
/// Confluent.Kafka (librdkafka) under the harness. Settings beyond the scenario's are the ones the
/// broker comparison has always used: large batches and queues so the client never throttles the
/// producer below what the broker takes, delivery reports carrying only the status, and consumers
/// that prefetch deeply.
/// </summary>
internal sealed class ConfluentClient : IBenchClient
{
    public const string ClientName = "confluent";

    public string Name => ClientName;

    public string Describe() =>
        $"Confluent.Kafka {typeof(IProducer<,>).Assembly.GetName().Version?.ToString(3)} (librdkafka {Library.VersionString}); producer " +
        "`batch.size=1000000`, `batch.num.messages=1000000`, `queue.buffering.max.messages=10000000`, `queue.buffering.max.kbytes=2097151`, " +
        "`enable.idempotence=false`, delivery reports with status only; consumer `Assign` from offset 0 (no group), `fetch.max.bytes=64MiB`, " +
        "`max.partition.fetch.bytes=16MiB`, `queued.max.messages.kbytes=262144`, `queued.min.messages=1000000`, `fetch.wait.max.ms=10`, `fetch.queue.backoff.ms=1`";

    public IBenchProducer CreateProducer(ProducerSettings settings, IAckSink acks) => new ConfluentProducer(settings, acks);

    public IBenchConsumer CreateConsumer(ConsumerSettings settings) => new ConfluentConsumer(settings);

    public static ProducerConfig ProducerConfig(ProducerSettings settings) => new()
    {
        BootstrapServers = settings.Bootstrap,
        Acks = (Acks)(int)settings.Acks,
        LingerMs = settings.LingerMs,
        BatchSize = 1_000_000,
        BatchNumMessages = 1_000_000,
        QueueBufferingMaxMessages = 10_000_000,
        QueueBufferingMaxKbytes = 2_097_151,
        CompressionType = settings.Compression switch
        {
            Codec.Gzip => CompressionType.Gzip,
            Codec.Snappy => CompressionType.Snappy,
            Codec.Lz4 => CompressionType.Lz4,
            Codec.Zstd => CompressionType.Zstd,
            _ => CompressionType.None,
        },
        EnableIdempotence = false,
        DeliveryReportFields = "status",
    };

    public static ConsumerConfig ConsumerConfig(string bootstrap) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = "fastlog-bench",
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchMaxBytes = 64 * 1024 * 1024,
        MaxPartitionFetchBytes = 16 * 1024 * 1024,
        QueuedMaxMessagesKbytes = 262_144,
        FetchWaitMaxMs = 10,
        QueuedMinMessages = 1_000_000,
        FetchQueueBackoffMs = 1,
        ConsumeResultFields = "none",
    };
}
