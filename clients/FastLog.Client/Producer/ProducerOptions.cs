using FastLog.Client.Configuration;

namespace FastLog.Client.Producer;

/// <summary>
/// Settings of a <see cref="KafkaProducer{TKey, TValue}"/>. Each property names the Kafka producer key it
/// corresponds to; <see cref="FromConfig"/> reads those keys, and an unknown key is an error rather than a silently
/// ignored setting.
/// </summary>
/// <remarks>
/// Defaults follow the Java client where the two differ in meaning only, and librdkafka where it batches better:
/// <c>linger.ms</c> is 5 and <c>batch.size</c> 1,000,000 as in librdkafka (batch buffers grow on demand, so a
/// large limit costs nothing on a quiet partition), idempotence is on as in Java 3+.
/// </remarks>
public sealed class ProducerOptions : KafkaClientOptions
{
    /// <summary>Largest value <see cref="MaxInFlightRequestsPerConnection"/> may take with idempotence: the broker
    /// remembers the last five batches of each producer, so a sixth in flight could not be deduplicated on retry.</summary>
    public const int MaxIdempotentInFlight = 5;

    /// <summary><c>acks</c>: acknowledgements required before a record counts as delivered. Default <see cref="Acks.All"/>.</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary><c>linger.ms</c>: how long a batch waits for more records before it is sent. Default 5 ms.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary><c>batch.size</c>: the most record bytes one batch holds (a larger record gets a batch of its own). Default 1,000,000.</summary>
    public int BatchSize { get; set; } = 1_000_000;

    /// <summary><c>compression.type</c>: codec of every batch. Default <see cref="CompressionType.None"/>.</summary>
    public CompressionType Compression { get; set; } = CompressionType.None;

    /// <summary>
    /// <c>enable.idempotence</c>: producer id and per-partition sequence numbers let the broker drop retried
    /// duplicates, so retries neither lose, duplicate nor reorder records. Null (the default) means on unless
    /// <see cref="Acks"/> is not <see cref="Acks.All"/>, <see cref="MaxInFlightRequestsPerConnection"/> exceeds
    /// <see cref="MaxIdempotentInFlight"/> or <see cref="Retries"/> is 0, as in the Java client; true with any of
    /// those is a configuration error.
    /// </summary>
    public bool? EnableIdempotence { get; set; }

    /// <summary><c>max.in.flight.requests.per.connection</c>: produce requests awaiting an answer per broker. Default 5.</summary>
    public int MaxInFlightRequestsPerConnection { get; set; } = MaxIdempotentInFlight;

    /// <summary>
    /// <c>buffer.memory</c>: bytes of record batches the producer may hold before <c>ProduceAsync</c> waits for
    /// space (up to <see cref="MaxBlock"/>). Default 32 MiB.
    /// </summary>
    public long BufferMemory { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// <c>max.block.ms</c>: how long a produce call may wait for topic metadata or buffer space before failing.
    /// Default 60 s.
    /// </summary>
    public TimeSpan MaxBlock { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>delivery.timeout.ms</c>: upper bound from a record's acceptance to its acknowledgement, retries
    /// included; a batch not delivered by then fails. Default 120 s.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary><c>retries</c>: how often a batch is resent after a retriable error (within <see cref="DeliveryTimeout"/>). Default int.MaxValue.</summary>
    public int Retries { get; set; } = int.MaxValue;

    /// <summary>
    /// <c>max.request.size</c> (alias <c>message.max.bytes</c>): the largest produce request; a record whose batch
    /// alone would exceed it fails at once with <see cref="FastLog.Protocol.ErrorCode.MessageTooLarge"/>. Default 1 MiB.
    /// </summary>
    public int MaxRequestSize { get; set; } = 1024 * 1024;

    /// <summary><c>partitioner</c>: how records without an explicit partition are placed. Default <see cref="PartitionerType.Murmur2Random"/>.</summary>
    public PartitionerType Partitioner { get; set; } = PartitionerType.Murmur2Random;

    /// <summary><c>allow.auto.create.topics</c>: ask the broker to create a topic the producer writes to. Default true.</summary>
    public bool AllowAutoCreateTopics { get; set; } = true;

    /// <summary>Whether idempotence is in effect once the defaults are resolved (see <see cref="EnableIdempotence"/>).</summary>
    public bool IdempotenceEnabled =>
        EnableIdempotence ?? (Acks == Acks.All && MaxInFlightRequestsPerConnection <= MaxIdempotentInFlight && Retries > 0);

    /// <summary>Reads Kafka producer properties (<c>bootstrap.servers</c>, <c>acks</c>, <c>linger.ms</c>, ...).</summary>
    /// <exception cref="ArgumentException">A value is malformed or out of range, settings conflict, or a key is not a producer setting.</exception>
    public static ProducerOptions FromConfig(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var config = new KafkaConfigReader(properties);
        var options = new ProducerOptions();
        options.ReadCommon(config);
        options.Acks = config.Choice("acks", AcksNames) ?? options.Acks;
        options.Linger = config.Milliseconds("linger.ms") ?? options.Linger;
        options.BatchSize = config.Int32("batch.size", 1) ?? options.BatchSize;
        options.Compression = config.Choice("compression.type", CompressionNames) ?? options.Compression;
        options.EnableIdempotence = config.Boolean("enable.idempotence");
        options.MaxInFlightRequestsPerConnection = config.Int32("max.in.flight.requests.per.connection", 1) ?? options.MaxInFlightRequestsPerConnection;
        options.BufferMemory = config.Int64("buffer.memory", 1) ?? options.BufferMemory;
        options.MaxBlock = config.Milliseconds("max.block.ms") ?? options.MaxBlock;
        options.DeliveryTimeout = config.Milliseconds("delivery.timeout.ms") ?? options.DeliveryTimeout;
        options.Retries = config.Int32("retries", 0) ?? options.Retries;
        int? maxRequestSize = config.Int32("max.request.size", 1);
        int? messageMaxBytes = config.Int32("message.max.bytes", 1);
        if (maxRequestSize is not null && messageMaxBytes is not null && maxRequestSize != messageMaxBytes)
        {
            throw new ArgumentException(
                $"max.request.size={maxRequestSize} and message.max.bytes={messageMaxBytes} name the same limit; give one of them.");
        }

        options.MaxRequestSize = maxRequestSize ?? messageMaxBytes ?? options.MaxRequestSize;
        options.Partitioner = config.Choice("partitioner", PartitionerNames) ?? options.Partitioner;
        options.AllowAutoCreateTopics = config.Boolean("allow.auto.create.topics") ?? options.AllowAutoCreateTopics;
        config.ThrowIfUnused();
        options.Validate();
        return options;
    }

    /// <summary>Checks the settings and their combinations.</summary>
    /// <exception cref="ArgumentException">A setting is out of range or settings conflict; the message says which and how to fix it.</exception>
    public override void Validate()
    {
        base.Validate();
        Require(Acks is Acks.All or Acks.None or Acks.Leader, $"acks={(short)Acks} must be 0, 1 or all (-1).");
        Require(Linger >= TimeSpan.Zero, "linger.ms must not be negative.");
        Require(BatchSize > 0, "batch.size must be positive.");
        Require(Enum.IsDefined(Compression), $"compression.type {Compression} is not a Kafka codec.");
        Require(MaxInFlightRequestsPerConnection > 0, "max.in.flight.requests.per.connection must be positive.");
        Require(BufferMemory > 0, "buffer.memory must be positive.");
        Require(MaxBlock >= TimeSpan.Zero, "max.block.ms must not be negative.");
        Require(Retries >= 0, "retries must not be negative.");
        Require(MaxRequestSize > 0, "max.request.size must be positive.");
        Require(Enum.IsDefined(Partitioner), $"partitioner {Partitioner} is unknown.");
        Require(
            DeliveryTimeout >= Linger + RequestTimeout,
            $"delivery.timeout.ms ({DeliveryTimeout.TotalMilliseconds:0}) must be at least linger.ms + request.timeout.ms " +
            $"({(Linger + RequestTimeout).TotalMilliseconds:0}), or a batch could expire before its first answer was due.");
        if (EnableIdempotence == true)
        {
            Require(Acks == Acks.All, "enable.idempotence=true needs acks=all: set acks=all, or enable.idempotence=false to use acks=0/1.");
            Require(
                MaxInFlightRequestsPerConnection <= MaxIdempotentInFlight,
                $"enable.idempotence=true allows at most {MaxIdempotentInFlight} max.in.flight.requests.per.connection (the broker deduplicates only the last {MaxIdempotentInFlight} batches).");
            Require(Retries > 0, "enable.idempotence=true needs retries > 0.");
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static readonly Dictionary<string, Acks> AcksNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["all"] = Acks.All,
        ["-1"] = Acks.All,
        ["0"] = Acks.None,
        ["1"] = Acks.Leader,
    };

    private static readonly Dictionary<string, CompressionType> CompressionNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = CompressionType.None,
        ["gzip"] = CompressionType.Gzip,
        ["snappy"] = CompressionType.Snappy,
        ["lz4"] = CompressionType.Lz4,
        ["zstd"] = CompressionType.Zstd,
    };

    private static readonly Dictionary<string, PartitionerType> PartitionerNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["murmur2_random"] = PartitionerType.Murmur2Random,
        ["murmur2"] = PartitionerType.Murmur2,
        ["random"] = PartitionerType.Random,
    };
}
