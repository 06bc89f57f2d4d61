using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace FastLog.Format;

/// <summary>
/// A zero-copy, read-only view of a RecordBatch v2 header (layout in <see cref="RecordBatchLayout"/>).
/// The span must hold at least <see cref="RecordBatchLayout.HeaderSize"/> bytes; use
/// <see cref="RecordBatchValidator"/> before trusting any field of untrusted bytes.
/// The static <c>Stamp*</c> methods write the two broker-owned fields in place; both lie outside
/// the CRC, so stamping never requires re-encoding or decompression.
/// </summary>
public readonly ref struct RecordBatchHeader
{
    private readonly ReadOnlySpan<byte> _bytes;

    public RecordBatchHeader(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < RecordBatchLayout.HeaderSize)
        {
            FormatThrow.Truncated(batch.Length);
        }

        _bytes = batch;
    }

    public long BaseOffset => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.BaseOffsetOffset..]);
    public int BatchLength => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.BatchLengthOffset..]);
    /// <summary>Whole batch size in bytes, header included.</summary>
    public int SizeInBytes => RecordBatchLayout.LogOverhead + BatchLength;
    public int PartitionLeaderEpoch => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.PartitionLeaderEpochOffset..]);
    public byte Magic => _bytes[RecordBatchLayout.MagicOffset];
    public uint Crc => BinaryPrimitives.ReadUInt32BigEndian(_bytes[RecordBatchLayout.CrcOffset..]);
    public BatchAttributes Attributes => (BatchAttributes)BinaryPrimitives.ReadInt16BigEndian(_bytes[RecordBatchLayout.AttributesOffset..]);
    public CompressionCodec Compression => (CompressionCodec)((int)Attributes & (int)BatchAttributes.CompressionMask);
    public bool IsTransactional => (Attributes & BatchAttributes.Transactional) != 0;
    public bool IsControl => (Attributes & BatchAttributes.Control) != 0;
    public bool IsLogAppendTime => (Attributes & BatchAttributes.LogAppendTime) != 0;
    public int LastOffsetDelta => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.LastOffsetDeltaOffset..]);
    public long LastOffset => BaseOffset + LastOffsetDelta;
    public long BaseTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.BaseTimestampOffset..]);
    public long MaxTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.MaxTimestampOffset..]);
    public long ProducerId => BinaryPrimitives.ReadInt64BigEndian(_bytes[RecordBatchLayout.ProducerIdOffset..]);
    public short ProducerEpoch => BinaryPrimitives.ReadInt16BigEndian(_bytes[RecordBatchLayout.ProducerEpochOffset..]);
    public int BaseSequence => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.BaseSequenceOffset..]);
    public int RecordsCount => BinaryPrimitives.ReadInt32BigEndian(_bytes[RecordBatchLayout.RecordsCountOffset..]);

    /// <summary>Reads the batch size from the first 12 bytes, or -1 if fewer are available.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PeekSizeInBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length < RecordBatchLayout.LogOverhead
            ? -1
            : RecordBatchLayout.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.BatchLengthOffset..]);

    /// <summary>Overwrites baseOffset in place (not covered by the CRC).</summary>
    public static void StampBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetOffset..], baseOffset);

    /// <summary>Overwrites partitionLeaderEpoch in place (not covered by the CRC).</summary>
    public static void StampPartitionLeaderEpoch(Span<byte> batch, int leaderEpoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochOffset..], leaderEpoch);

    /// <summary>Computes the CRC-32C the batch should carry (attributes..end).</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) => Crc32C.Compute(batch[RecordBatchLayout.AttributesOffset..]);

    /// <summary>Recomputes and writes the CRC, for builders and for LogAppendTime rewrites.</summary>
    public static void WriteCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchLayout.CrcOffset..], ComputeCrc(batch));
}
