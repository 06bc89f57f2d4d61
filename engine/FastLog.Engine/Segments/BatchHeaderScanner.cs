using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using FastLog.Format;

namespace FastLog.Engine.Segments;

/// <summary>
/// Walks the batch headers of a segment file between two positions without reading record bytes:
/// it reads the file in chunks of <see cref="ChunkBytes"/> and parses every whole header in a
/// chunk, so a scan over many small batches costs one read per chunk, not one per batch.
/// Used by offset lookups (after the sparse index narrows the range) and timestamp lookups.
/// Trusts the bytes it reads: only call it on the validated part of a segment.
/// </summary>
[SkipLocalsInit]
internal ref struct BatchHeaderScanner
{
    /// <summary>One page: the index interval default is 4 KiB, so a lookup usually needs one or two chunks.</summary>
    public const int ChunkBytes = 4096;

    private readonly LogSegment _segment;
    private readonly long _endPosition;
    private readonly Span<byte> _chunk;
    private long _chunkPosition;
    private int _chunkLength;

    public BatchHeaderScanner(LogSegment segment, long startPosition, long endPosition, Span<byte> chunk)
    {
        _segment = segment;
        _endPosition = endPosition;
        _chunk = chunk;
        _chunkPosition = startPosition;
        _chunkLength = 0;
        Position = startPosition;
    }

    /// <summary>File position of the current batch.</summary>
    public long Position { get; private set; }

    public long BaseOffset { get; private set; }

    public int SizeBytes { get; private set; }

    public int LastOffsetDelta { get; private set; }

    public long LastOffset => BaseOffset + LastOffsetDelta;

    public long MaxTimestamp { get; private set; }

    public long ProducerId { get; private set; }

    public short ProducerEpoch { get; private set; }

    public int BaseSequence { get; private set; }

    public bool IsControl { get; private set; }

    /// <summary>Moves to the next batch; false at the end position. The first call reads the batch at the start position.</summary>
    public bool MoveNext()
    {
        if (SizeBytes != 0)
        {
            Position += SizeBytes;
        }

        if (Position + RecordBatchLayout.HeaderSize > _endPosition)
        {
            return false;
        }

        long offsetInChunk = Position - _chunkPosition;
        if (offsetInChunk < 0 || offsetInChunk + RecordBatchLayout.HeaderSize > _chunkLength)
        {
            Fill(Position);
            offsetInChunk = 0;
            if (_chunkLength < RecordBatchLayout.HeaderSize)
            {
                return false;
            }
        }

        ReadOnlySpan<byte> header = _chunk.Slice((int)offsetInChunk, RecordBatchLayout.HeaderSize);
        BaseOffset = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.BaseOffsetOffset..]);
        SizeBytes = RecordBatchLayout.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.BatchLengthOffset..]);
        LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.LastOffsetDeltaOffset..]);
        MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.MaxTimestampOffset..]);
        ProducerId = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.ProducerIdOffset..]);
        ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.ProducerEpochOffset..]);
        BaseSequence = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.BaseSequenceOffset..]);
        IsControl = (BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.AttributesOffset..]) & (short)BatchAttributes.Control) != 0;
        if (SizeBytes < RecordBatchLayout.HeaderSize)
        {
            // Only validated bytes are scanned; a bad length here means the file changed under us.
            SizeBytes = 0;
            return false;
        }

        return true;
    }

    private void Fill(long position)
    {
        _chunkPosition = position;
        int wanted = (int)Math.Min(_chunk.Length, _endPosition - position);
        _chunkLength = _segment.ReadAt(_chunk[..wanted], position);
    }
}
