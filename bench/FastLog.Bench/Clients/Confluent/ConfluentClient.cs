using Confluent.Kafka;

namespace FastLog.Bench.Clients.Confluent;

/// <summary>
/// Confluent.Kafka (librdkafka) under the harness. Settings beyond the scenario's are the ones the
/// broker comparison has always used: large batches and queues so the client never throttles the
/// producer below what the broker takes, delivery reports carrying only the status, and consumers
/// that prefetch about 100,000 records ahead.
/// </summary>
internal sealed class ConfluentClient : IBenchClient
{
    public const string ClientName = "confluent";

    public string Name => ClientName;

    public string Describe() =>
        $"Confluent.Kafka {typeof(IProducer<,>).Assembly.GetName().Version?.ToString(3)} (librdkafka {Library.VersionString}); producer " +
        "`batch.size=1000000`, `batch.num.messages=1000000`, `queue.buffering.max.messages=10000000`, `queue.buffering.max.kbytes=2097151`, " +
        "`enable.idempotence=false`, delivery reports with status only; consumer `Assign` from offset 0 (no group), `fetch.max.bytes=64MiB`, " +
        "`max.partition.fetch.bytes=4MiB`, `queued.max.messages.kbytes=32768`, `queued.min.messages=100000`, `fetch.wait.max.ms=10`, `fetch.queue.backoff.ms=1`";

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

        // A prefetch of about 100,000 records (at most 32 MiB), fetched 4 MiB at a time, rather than
        // the whole log: the records the fetcher thread just parsed are still in the CPU caches when
        // the application thread consumes them. With a prefetch of 1,000,000 records / 256 MiB in
        // 16 MiB fetches, 100 B records were read at 0.66-0.70 M/s here, against 0.89-1.06 M/s
        // this way (three alternated rounds of three runs each, FastLog broker).
        MaxPartitionFetchBytes = 4 * 1024 * 1024,
        QueuedMaxMessagesKbytes = 32_768,
        FetchWaitMaxMs = 10,
        QueuedMinMessages = 100_000,
        FetchQueueBackoffMs = 1,
        ConsumeResultFields = "none",
    };
}
