namespace FastLog.Client.Admin;

/// <summary>
/// Which offset ListOffsets looks up: the earliest (log start), the latest (high watermark, the offset the next
/// record will get), the record with the largest timestamp, or the first record at or after a timestamp.
/// </summary>
public sealed record OffsetSpec
{
    // Kafka's sentinel timestamps in ListOffsets.
    private const long LatestSentinel = -1;
    private const long EarliestSentinel = -2;
    private const long MaxTimestampSentinel = -3;

    private OffsetSpec(long timestamp) => Timestamp = timestamp;

    /// <summary>The earliest offset still in the log.</summary>
    public static OffsetSpec Earliest { get; } = new(EarliestSentinel);

    /// <summary>The high watermark: one past the last readable record.</summary>
    public static OffsetSpec Latest { get; } = new(LatestSentinel);

    /// <summary>The record with the largest timestamp (needs ListOffsets v7).</summary>
    public static OffsetSpec MaxTimestamp { get; } = new(MaxTimestampSentinel);

    /// <summary>The timestamp (or sentinel) sent in the request.</summary>
    public long Timestamp { get; }

    /// <summary>The first record whose timestamp is at or after <paramref name="time"/>.</summary>
    public static OffsetSpec ForTimestamp(DateTimeOffset time) => ForTimestamp(time.ToUnixTimeMilliseconds());

    /// <summary>The first record whose timestamp is at or after <paramref name="unixMs"/> (milliseconds since 1970).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="unixMs"/> is negative.</exception>
    public static OffsetSpec ForTimestamp(long unixMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixMs);
        return new OffsetSpec(unixMs);
    }

    /// <summary><c>earliest</c>, <c>latest</c>, <c>max-timestamp</c> or <c>timestamp 1700000000000</c>.</summary>
    public override string ToString() => Timestamp switch
    {
        EarliestSentinel => "earliest",
        LatestSentinel => "latest",
        MaxTimestampSentinel => "max-timestamp",
        _ => $"timestamp {Timestamp}",
    };
}
