using FastLog.Client.Serialization;

namespace FastLog.Client.Consumer;

/// <summary>
/// One consumed record, viewed in place: key, value and headers point into the leased fetch response (or, for a
/// compressed batch, into a pooled decompression buffer) and are valid only until the enumerator moves on —
/// copy what must outlive that. A small struct of offsets into that buffer: producing one allocates nothing.
/// </summary>
public readonly struct ConsumedRecord
{
    private readonly byte[] _buffer;
    private readonly int _keyStart;
    private readonly int _keyLength;
    private readonly int _valueStart;
    private readonly int _valueLength;
    private readonly int _headersStart;
    private readonly int _headersEnd;
    private readonly int _headerCount;

    internal ConsumedRecord(
        string topic,
        int partition,
        long offset,
        long timestamp,
        TimestampType timestampType,
        int leaderEpoch,
        byte[] buffer,
        int keyStart,
        int keyLength,
        int valueStart,
        int valueLength,
        int headersStart,
        int headersEnd,
        int headerCount)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Timestamp = timestamp;
        TimestampType = timestampType;
        LeaderEpoch = leaderEpoch;
        _buffer = buffer;
        _keyStart = keyStart;
        _keyLength = keyLength;
        _valueStart = valueStart;
        _valueLength = valueLength;
        _headersStart = headersStart;
        _headersEnd = headersEnd;
        _headerCount = headerCount;
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The partition index.</summary>
    public int Partition { get; }

    /// <summary>The record's offset in its partition.</summary>
    public long Offset { get; }

    /// <summary>Milliseconds since the Unix epoch; its meaning is <see cref="TimestampType"/>.</summary>
    public long Timestamp { get; }

    /// <summary>Creation time or broker append time.</summary>
    public TimestampType TimestampType { get; }

    /// <summary>The partition leader epoch the batch was appended in, or -1.</summary>
    public int LeaderEpoch { get; }

    /// <summary>The partition as a value.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary><see cref="Timestamp"/> as a date.</summary>
    public DateTimeOffset TimestampUtc => DateTimeOffset.FromUnixTimeMilliseconds(Timestamp);

    /// <summary>The key bytes; empty when <see cref="IsKeyNull"/>.</summary>
    public ReadOnlyMemory<byte> Key => _keyLength < 0 ? ReadOnlyMemory<byte>.Empty : new(_buffer, _keyStart, _keyLength);

    /// <summary>The key bytes as a span (cheaper than <see cref="Key"/> when only read in place); empty when null.</summary>
    public ReadOnlySpan<byte> KeySpan => _keyLength < 0 ? default : new(_buffer, _keyStart, _keyLength);

    /// <summary>True when the record has no key (null, as distinct from empty).</summary>
    public bool IsKeyNull => _keyLength < 0;

    /// <summary>The value bytes; empty when <see cref="IsValueNull"/>.</summary>
    public ReadOnlyMemory<byte> Value => _valueLength < 0 ? ReadOnlyMemory<byte>.Empty : new(_buffer, _valueStart, _valueLength);

    /// <summary>The value bytes as a span (cheaper than <see cref="Value"/> when only read in place); empty when null.</summary>
    public ReadOnlySpan<byte> ValueSpan => _valueLength < 0 ? default : new(_buffer, _valueStart, _valueLength);

    /// <summary>True for a null value (a tombstone on compacted topics).</summary>
    public bool IsValueNull => _valueLength < 0;

    /// <summary>The headers, parsed when enumerated.</summary>
    public ConsumedHeaders Headers => _buffer is null ? default : new(_buffer, _headersStart, _headersEnd, _headerCount);

    /// <summary>The key through <paramref name="deserializer"/>.</summary>
    public T GetKey<T>(IDeserializer<T> deserializer)
    {
        ArgumentNullException.ThrowIfNull(deserializer);
        return deserializer.Deserialize(KeySpan, IsKeyNull, new DeserializationContext(Topic, true, Headers));
    }

    /// <summary>The value through <paramref name="deserializer"/>.</summary>
    public T GetValue<T>(IDeserializer<T> deserializer)
    {
        ArgumentNullException.ThrowIfNull(deserializer);
        return deserializer.Deserialize(ValueSpan, IsValueNull, new DeserializationContext(Topic, false, Headers));
    }

    /// <summary><c>topic-partition@offset</c>.</summary>
    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}
