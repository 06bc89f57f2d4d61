using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace FastLog.Format;

/// <summary>
/// Builds one RecordBatch v2 as a producer would send it: records appended in order get offset
/// deltas 0, 1, 2...; the first record's timestamp becomes baseTimestamp (later ones may be
/// earlier: deltas are signed); the header carries lastOffsetDelta, maxTimestamp, recordsCount
/// and the CRC-32C. Records are encoded as they are appended, into a pooled buffer, and
/// compressed once at <see cref="Build(IBufferWriter{byte})"/>. The requested codec is always
/// honoured (no silent fallback to uncompressed), so callers and tests know what they get.
/// Not thread-safe; reusable via <see cref="Reset"/>.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    private readonly PooledBufferWriter _records = new();
    private int _recordCount;
    private long _baseTimestamp;
    private long _maxTimestamp;

    /// <summary>Codec for the records region.</summary>
    public CompressionCodec Compression { get; set; } = CompressionCodec.None;

    /// <summary>Producers send 0; the broker stamps the real offset on append.</summary>
    public long BaseOffset { get; set; }

    /// <summary>0 like librdkafka and kafka-python; the Java client sends -1.</summary>
    public int PartitionLeaderEpoch { get; set; }

    /// <summary>-1 unless idempotent or transactional.</summary>
    public long ProducerId { get; set; } = -1;

    public short ProducerEpoch { get; set; } = -1;

    public int BaseSequence { get; set; } = -1;

    public bool IsTransactional { get; set; }

    public bool IsControl { get; set; }

    /// <summary>Sets the LogAppendTime attribute bit (normally only a broker does this).</summary>
    public bool IsLogAppendTime { get; set; }

    public int RecordCount => _recordCount;

    /// <summary>Appends a record; null key or value (tombstone) is distinct from empty.</summary>
    public RecordBatchBuilder Append(long timestampMs, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader>? headers = null)
    {
        RecordHeader[]? copy = null;
        if (headers is { Count: > 0 })
        {
            copy = headers as RecordHeader[] ?? [.. headers];
        }

        return Append(timestampMs, key, key is null, value, value is null, copy);
    }

    /// <summary>Appends a record from spans; the flags say whether key/value are null.</summary>
    public RecordBatchBuilder Append(
        long timestampMs,
        ReadOnlySpan<byte> key,
        bool keyIsNull,
        ReadOnlySpan<byte> value,
        bool valueIsNull,
        ReadOnlySpan<RecordHeader> headers)
    {
        if (_recordCount == 0)
        {
            _baseTimestamp = timestampMs;
            _maxTimestamp = timestampMs;
        }
        else
        {
            _maxTimestamp = Math.Max(_maxTimestamp, timestampMs);
        }

        long timestampDelta = timestampMs - _baseTimestamp;
        int offsetDelta = _recordCount;

        int headersSize = 0;
        foreach (var header in headers)
        {
            if (header.Key is null)
            {
                throw new ArgumentException("header keys may not be null", nameof(headers));
            }

            headersSize = checked(headersSize + LengthPrefixedSize(Encoding.UTF8.GetByteCount(header.Key), isNull: false)
                + LengthPrefixedSize(header.Value?.Length ?? 0, header.Value is null));
        }

        int bodySize = checked(1 + VarInt.SizeOfVarLong(timestampDelta) + VarInt.SizeOfVarInt(offsetDelta)
            + LengthPrefixedSize(key.Length, keyIsNull) + LengthPrefixedSize(value.Length, valueIsNull)
            + VarInt.SizeOfVarInt(headers.Length) + headersSize);
        int recordSize = checked(VarInt.SizeOfVarInt(bodySize) + bodySize);

        var span = _records.GetSpan(recordSize)[..recordSize];
        int p = VarInt.WriteVarInt(span, bodySize);
        span[p++] = 0; // record attributes: unused
        p += VarInt.WriteVarLong(span[p..], timestampDelta);
        p += VarInt.WriteVarInt(span[p..], offsetDelta);
        p += WriteLengthPrefixed(span[p..], key, keyIsNull);
        p += WriteLengthPrefixed(span[p..], value, valueIsNull);
        p += VarInt.WriteVarInt(span[p..], headers.Length);
        foreach (var header in headers)
        {
            int keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            p += VarInt.WriteVarInt(span[p..], keyBytes);
            p += Encoding.UTF8.GetBytes(header.Key, span[p..]);
            p += WriteLengthPrefixed(span[p..], header.Value, header.Value is null);
        }

        _records.Advance(p);
        _recordCount++;
        return this;
    }

    /// <summary>Writes the finished batch to <paramref name="destination"/>; returns its size in bytes.</summary>
    public int Build(IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_recordCount == 0)
        {
            throw new InvalidOperationException("a record batch needs at least one record");
        }

        if (Compression == CompressionCodec.None)
        {
            return WriteBatch(destination, _records.WrittenSpan);
        }

        using var compressed = new PooledBufferWriter(_records.WrittenCount / 2 + 64);
        FastLog.Format.Compression.Compress(Compression, _records.WrittenSpan, compressed);
        return WriteBatch(destination, compressed.WrittenSpan);
    }

    /// <summary>Builds into a new array (tests and tools).</summary>
    public byte[] Build()
    {
        using var output = new PooledBufferWriter(RecordBatchLayout.HeaderSize + _records.WrittenCount);
        Build(output);
        return output.ToArray();
    }

    /// <summary>Drops the appended records, keeping settings and the pooled buffer.</summary>
    public void Reset()
    {
        _records.Clear();
        _recordCount = 0;
        _baseTimestamp = 0;
        _maxTimestamp = 0;
    }

    public void Dispose() => _records.Dispose();

    private int WriteBatch(IBufferWriter<byte> destination, ReadOnlySpan<byte> recordsRegion)
    {
        int size = checked(RecordBatchLayout.HeaderSize + recordsRegion.Length);
        var batch = destination.GetSpan(size)[..size];
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetOffset..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLengthOffset..], size - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        batch[RecordBatchLayout.MagicOffset] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..], (short)Attributes());
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaOffset..], _recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordsCountOffset..], _recordCount);
        recordsRegion.CopyTo(batch[RecordBatchLayout.RecordsOffset..]);
        RecordBatchHeader.WriteCrc(batch);
        destination.Advance(size);
        return size;
    }

    private BatchAttributes Attributes()
    {
        var attributes = (BatchAttributes)(int)Compression;
        if (IsLogAppendTime)
        {
            attributes |= BatchAttributes.LogAppendTime;
        }

        if (IsTransactional)
        {
            attributes |= BatchAttributes.Transactional;
        }

        if (IsControl)
        {
            attributes |= BatchAttributes.Control;
        }

        return attributes;
    }

    private static int LengthPrefixedSize(int length, bool isNull) =>
        isNull ? VarInt.SizeOfVarInt(-1) : checked(VarInt.SizeOfVarInt(length) + length);

    private static int WriteLengthPrefixed(Span<byte> destination, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            return VarInt.WriteVarInt(destination, -1);
        }

        int p = VarInt.WriteVarInt(destination, bytes.Length);
        bytes.CopyTo(destination[p..]);
        return p + bytes.Length;
    }
}
