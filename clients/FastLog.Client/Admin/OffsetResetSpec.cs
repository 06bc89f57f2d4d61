namespace FastLog.Client.Admin;

/// <summary>
/// Where <see cref="KafkaAdminClient.ResetGroupOffsetsAsync"/> moves a group's committed offsets, as
/// kafka-consumer-groups' <c>--to-earliest</c>, <c>--to-latest</c>, <c>--to-datetime</c> and <c>--to-offset</c> do.
/// </summary>
public sealed record OffsetResetSpec
{
    private OffsetResetSpec(OffsetSpec? lookup, long offset)
    {
        Lookup = lookup;
        Offset = offset;
    }

    /// <summary>The earliest offset still in each partition.</summary>
    public static OffsetResetSpec Earliest { get; } = new(OffsetSpec.Earliest, -1);

    /// <summary>Each partition's high watermark (skip everything written so far).</summary>
    public static OffsetResetSpec Latest { get; } = new(OffsetSpec.Latest, -1);

    /// <summary>The ListOffsets lookup that resolves the target; null for an explicit offset.</summary>
    public OffsetSpec? Lookup { get; }

    /// <summary>The explicit offset, or -1 when <see cref="Lookup"/> resolves it.</summary>
    public long Offset { get; }

    /// <summary>
    /// The first record at or after <paramref name="time"/>; partitions with no such record go to their high
    /// watermark (as kafka-consumer-groups does).
    /// </summary>
    public static OffsetResetSpec ToTimestamp(DateTimeOffset time) => new(OffsetSpec.ForTimestamp(time), -1);

    /// <summary>
    /// An explicit offset for every partition, clamped to each partition's [earliest, latest] range so the group
    /// never points outside the log (as kafka-consumer-groups does).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public static OffsetResetSpec ToOffset(long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new OffsetResetSpec(null, offset);
    }

    /// <summary><c>earliest</c>, <c>latest</c>, <c>timestamp N</c> or <c>offset N</c>.</summary>
    public override string ToString() => Lookup?.ToString() ?? $"offset {Offset}";
}
