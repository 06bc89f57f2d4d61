using System.Buffers.Binary;
using FastLog.Format;

namespace FastLog.Engine.Cleaning;

/// <summary>
/// Re-encodes the surviving records of one batch as a new RecordBatch v2, the way Kafka's cleaner
/// does: same base offset and lastOffsetDelta (so the batch's offset range and an idempotent
/// producer's sequence range are unchanged), each record's original offset delta (offsets are
/// preserved, leaving gaps), same producer id/epoch/base sequence, leader epoch and codec. Record
/// timestamps are kept exactly; their deltas are recomputed against the new base timestamp, which is
/// the delete horizon when the batch keeps tombstones (attribute bit 6, as in Kafka).
/// Not thread-safe; one per cleaning pass.
/// </summary>
internal sealed class CleanedBatchWriter : IDisposable
{
    private readonly PooledBufferWriter _records = new(64 * 1024);
    private readonly PooledBufferWriter _compressed = new(64 * 1024);
    private readonly PooledBufferWriter _batch = new(64 * 1024);
    private int _count;
    private long _baseTimestamp;
    private long _maxTimestamp;

    public int Count => _count;

    /// <summary>Starts a batch whose records' timestamp deltas are relative to <paramref name="baseTimestamp"/>.</summary>
    public void Begin(long baseTimestamp)
    {
        _records.Clear();
        _count = 0;
        _baseTimestamp = baseTimestamp;
        _maxTimestamp = long.MinValue;
    }

    /// <summary>Appends one surviving record, keeping its offset delta within the original batch.</summary>
    public void Add(in RecordView record)
    {
        long timestampDelta = record.Timestamp - _baseTimestamp;
        int headersSize = 0;
        foreach (var header in record.Headers)
        {
            headersSize += LengthPrefixedSize(header.Key.Length, isNull: false) + LengthPrefixedSize(header.Value.Length, header.IsValueNull);
        }

        int bodySize = 1 + VarInt.SizeOfVarLong(timestampDelta) + VarInt.SizeOfVarInt(record.OffsetDelta)
            + LengthPrefixedSize(record.Key.Length, record.IsKeyNull) + LengthPrefixedSize(record.Value.Length, record.IsValueNull)
            + VarInt.SizeOfVarInt(record.HeaderCount) + headersSize;
        int size = VarInt.SizeOfVarInt(bodySize) + bodySize;
        var span = _records.GetSpan(size)[..size];
        int p = VarInt.WriteVarInt(span, bodySize);
        span[p++] = record.Attributes;
        p += VarInt.WriteVarLong(span[p..], timestampDelta);
        p += VarInt.WriteVarInt(span[p..], record.OffsetDelta);
        p += WriteLengthPrefixed(span[p..], record.Key, record.IsKeyNull);
        p += WriteLengthPrefixed(span[p..], record.Value, record.IsValueNull);
        p += VarInt.WriteVarInt(span[p..], record.HeaderCount);
        foreach (var header in record.Headers)
        {
            p += WriteLengthPrefixed(span[p..], header.Key, isNull: false);
            p += WriteLengthPrefixed(span[p..], header.Value, header.IsValueNull);
        }

        _records.Advance(p);
        _count++;
        _maxTimestamp = Math.Max(_maxTimestamp, record.Timestamp);
    }

    /// <summary>
    /// Finishes the batch with the original's header fields. <paramref name="deleteHorizonMs"/> ≥ 0
    /// sets attribute bit 6 (baseTimestamp is then the horizon). Returns the batch bytes, valid until the next call.
    /// </summary>
    public ReadOnlySpan<byte> Finish(in RecordBatchHeader original, long deleteHorizonMs, out long maxTimestamp)
    {
        var codec = original.Compression;
        ReadOnlySpan<byte> region = _records.WrittenSpan;
        if (codec != CompressionCodec.None)
        {
            _compressed.Clear();
            Compression.Compress(codec, region, _compressed);
            region = _compressed.WrittenSpan;
        }

        var attributes = original.Attributes & ~BatchAttributes.DeleteHorizon;
        if (deleteHorizonMs >= 0)
        {
            attributes |= BatchAttributes.DeleteHorizon;
        }

        maxTimestamp = original.IsLogAppendTime ? original.MaxTimestamp : _maxTimestamp;
        int size = RecordBatchLayout.HeaderSize + region.Length;
        _batch.Clear();
        var batch = _batch.GetSpan(size)[..size];
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetOffset..], original.BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLengthOffset..], size - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochOffset..], original.PartitionLeaderEpoch);
        batch[RecordBatchLayout.MagicOffset] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..], (short)attributes);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaOffset..], original.LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestampOffset..], maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerIdOffset..], original.ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpochOffset..], original.ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequenceOffset..], original.BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordsCountOffset..], _count);
        region.CopyTo(batch[RecordBatchLayout.RecordsOffset..]);
        RecordBatchHeader.WriteCrc(batch);
        _batch.Advance(size);
        return _batch.WrittenSpan;
    }

    public void Dispose()
    {
        _records.Dispose();
        _compressed.Dispose();
        _batch.Dispose();
    }

    private static int LengthPrefixedSize(int length, bool isNull) => isNull ? VarInt.SizeOfVarInt(-1) : VarInt.SizeOfVarInt(length) + length;

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
