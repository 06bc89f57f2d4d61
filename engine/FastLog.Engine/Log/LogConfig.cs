namespace FastLog.Engine.Log;

/// <summary>
/// Per-partition log settings, named after Kafka's topic configs (the broker-level defaults carry
/// a <c>log.</c> prefix in server.properties). Immutable; a config change opens a new value.
/// </summary>
public sealed record LogConfig
{
    /// <summary>segment.bytes: roll the active segment when the next batch would pass this size (Kafka default 1 GiB).</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary>segment.ms: roll a non-empty active segment older than this (Kafka default 7 days).</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>segment.index.bytes: preallocated size of each offset index (Kafka default 10 MiB).</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>index.interval.bytes: add an index entry after this many bytes of batches (Kafka default 4 KiB).</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>max.message.bytes: the largest batch accepted (Kafka default 1 MiB + 12 bytes of overhead).</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;

    /// <summary>retention.ms: delete closed segments whose newest record is older than this; -1 keeps forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.bytes: delete the oldest closed segments while the log is larger than this; -1 means no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary>file.delete.delay.ms: how long a deleted segment's files stay open for in-flight readers.</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000;

    /// <summary>producer.id.expiration.ms: an idle producer's sequence state is dropped after this long (Kafka default 1 day).</summary>
    public long ProducerIdExpirationMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>cleanup.policy: delete (Kafka's default), compact, or both.</summary>
    public CleanupPolicy CleanupPolicy { get; init; } = CleanupPolicy.Delete;

    /// <summary>delete.retention.ms: how long a tombstone survives compaction once its batch was first cleaned (Kafka default 1 day).</summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary>min.cleanable.dirty.ratio: compact only when dirty bytes / (clean + dirty) bytes of the closed segments reach this (Kafka default 0.5).</summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary>True when the cleaner compacts this log.</summary>
    public bool IsCompacted => (CleanupPolicy & CleanupPolicy.Compact) != 0;

    /// <summary>True when retention.ms / retention.bytes delete old segments.</summary>
    public bool IsDeleteRetained => (CleanupPolicy & CleanupPolicy.Delete) != 0;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (SegmentBytes < 14 + 61)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentBytes), SegmentBytes, "segment.bytes must hold at least one batch header");
        }

        if (SegmentMs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentMs), SegmentMs, "segment.ms must be positive");
        }

        if (SegmentIndexBytes < 8 * 4)
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentIndexBytes), SegmentIndexBytes, "segment.index.bytes must hold at least 4 entries");
        }

        if (IndexIntervalBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IndexIntervalBytes), IndexIntervalBytes, "index.interval.bytes must not be negative");
        }

        if (MaxMessageBytes < 61)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), MaxMessageBytes, "max.message.bytes must hold a batch header");
        }

        if (RetentionMs < -1 || RetentionBytes < -1 || FileDeleteDelayMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RetentionMs), "retention.ms and retention.bytes take -1 or a non-negative value");
        }

        if (CleanupPolicy is not (CleanupPolicy.Delete or CleanupPolicy.Compact or CleanupPolicy.CompactAndDelete))
        {
            throw new ArgumentOutOfRangeException(nameof(CleanupPolicy), CleanupPolicy, "cleanup.policy must be delete, compact or compact,delete");
        }

        if (DeleteRetentionMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(DeleteRetentionMs), DeleteRetentionMs, "delete.retention.ms must not be negative");
        }

        if (!(MinCleanableDirtyRatio >= 0 && MinCleanableDirtyRatio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinCleanableDirtyRatio), MinCleanableDirtyRatio, "min.cleanable.dirty.ratio must be in [0, 1]");
        }
    }
}
