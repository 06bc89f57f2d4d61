namespace FastLog.Format;

/// <summary>
/// One record of an uncompressed records region, viewed in place (no copies). Produced by
/// <see cref="RecordReader"/>, which has already checked every length and the header list.
/// Null and empty are distinct for the key, the value (null = tombstone) and header values.
/// </summary>
public readonly ref struct RecordView
{
    private readonly ReadOnlySpan<byte> _headers;

    internal RecordView(
        byte attributes,
        long timestampDelta,
        int offsetDelta,
        long offset,
        long timestamp,
        ReadOnlySpan<byte> key,
        bool isKeyNull,
        ReadOnlySpan<byte> value,
        bool isValueNull,
        ReadOnlySpan<byte> headers,
        int headerCount,
        int sizeInBytes)
    {
        Attributes = attributes;
        TimestampDelta = timestampDelta;
        OffsetDelta = offsetDelta;
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        IsKeyNull = isKeyNull;
        Value = value;
        IsValueNull = isValueNull;
        _headers = headers;
        HeaderCount = headerCount;
        SizeInBytes = sizeInBytes;
    }

    /// <summary>Record attributes byte (unused by Kafka, normally 0).</summary>
    public byte Attributes { get; }

    /// <summary>Timestamp minus the batch's baseTimestamp, in milliseconds.</summary>
    public long TimestampDelta { get; }

    /// <summary>Offset minus the batch's baseOffset.</summary>
    public int OffsetDelta { get; }

    /// <summary>Absolute offset: the reader's base offset plus <see cref="OffsetDelta"/>.</summary>
    public long Offset { get; }

    /// <summary>
    /// Absolute timestamp in milliseconds: base plus delta, or the batch's maxTimestamp for
    /// LogAppendTime batches read through <see cref="RecordBatchReader"/>.
    /// </summary>
    public long Timestamp { get; }

    /// <summary>The key; empty when <see cref="IsKeyNull"/>.</summary>
    public ReadOnlySpan<byte> Key { get; }

    public bool IsKeyNull { get; }

    /// <summary>The value; empty when <see cref="IsValueNull"/>.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>A null value: a tombstone for compacted topics.</summary>
    public bool IsValueNull { get; }

    public int HeaderCount { get; }

    /// <summary>Encoded size of the record, its length prefix included.</summary>
    public int SizeInBytes { get; }

    /// <summary>Iterates the headers in place.</summary>
    public RecordHeaderEnumerator Headers => new(_headers, HeaderCount);
}
