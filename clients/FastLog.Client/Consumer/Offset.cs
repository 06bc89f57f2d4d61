namespace FastLog.Client.Consumer;

/// <summary>
/// Special offsets for <see cref="KafkaConsumer{TKey, TValue}.Seek(TopicPartition, long)"/> and for positions that are not known.
/// Real offsets are never negative.
/// </summary>
public static class Offset
{
    /// <summary>The log's first offset (a ListOffsets lookup with timestamp -2).</summary>
    public const long Beginning = -2;

    /// <summary>The log's end: only records written from now on (a ListOffsets lookup with timestamp -1).</summary>
    public const long End = -1;

    /// <summary>The group's committed offset, or <c>auto.offset.reset</c> when none is committed.</summary>
    public const long Stored = -1000;

    /// <summary>No offset: not known yet, or nothing committed.</summary>
    public const long Unset = -1001;
}
