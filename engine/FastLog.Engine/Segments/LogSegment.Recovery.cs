using System.Buffers;
using System.IO.Hashing;
using FastLog.Format;

namespace FastLog.Engine.Segments;

/// <summary>Recovery and loading: rebuilding state from the .log, which is the only source of truth.</summary>
public sealed partial class LogSegment
{
    /// <summary>CRC checks stream the batch through this many bytes at a time, so a huge (or lying) length never needs a huge buffer.</summary>
    private const int RecoveryChunkBytes = 64 * 1024;

    /// <summary>
    /// Walks every batch from the start of the file, checking its header, length, offsets (contiguous
    /// from the segment's base offset, within int32 of it) and CRC-32C; rebuilds both indexes on the way and
    /// truncates the file at the first batch that fails. Requires writable indexes.
    /// </summary>
    /// <returns>The number of bytes cut from the tail (0 when the whole file was valid). A preallocated
    /// tail of zeros (see <see cref="ExtendPreparedTail"/>) ends the walk like any invalid batch and is cut.</returns>
    public long Recover() => Recover(allowOffsetGaps: false);

    /// <summary>
    /// As <see cref="Recover()"/>; with <paramref name="allowOffsetGaps"/> (segments rewritten by the
    /// log cleaner) offsets need only increase strictly and a batch may hold fewer records than its
    /// offset range, since compaction removes records but keeps every survivor's offset.
    /// </summary>
    public long Recover(bool allowOffsetGaps)
    {
        OffsetIndex.Reset();
        TimeIndex.Reset();
        _maxTimestampMs = -1;
        _offsetOfMaxTimestamp = BaseOffset;
        _bytesSinceLastIndexEntry = 0;

        long fileLength = RandomAccess.GetLength(_log);
        long position = 0;
        long nextOffset = BaseOffset;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(RecoveryChunkBytes);
        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        try
        {
            while (TryReadValidBatch(position, fileLength, nextOffset, allowOffsetGaps, chunk, crc, out int sizeBytes, out long lastOffset, out long maxTimestampMs))
            {
                if (maxTimestampMs > _maxTimestampMs)
                {
                    _maxTimestampMs = maxTimestampMs;
                    _offsetOfMaxTimestamp = lastOffset;
                }

                if (_bytesSinceLastIndexEntry > _indexIntervalBytes)
                {
                    OffsetIndex.Append(lastOffset, (int)position);
                    TimeIndex.MaybeAppend(_maxTimestampMs, _offsetOfMaxTimestamp);
                    _bytesSinceLastIndexEntry = 0;
                }

                _bytesSinceLastIndexEntry += sizeBytes;
                position += sizeBytes;
                nextOffset = lastOffset + 1;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (position < fileLength)
        {
            RandomAccess.SetLength(_log, position);
        }

        Volatile.Write(ref _nextOffset, nextOffset);
        Volatile.Write(ref _sizeBytes, (int)position);
        Volatile.Write(ref _preparedEndBytes, position);
        return fileLength - position;
    }

    /// <summary>
    /// After a clean stop: trusts the file and indexes, and finds the next offset and the largest
    /// timestamp by scanning the batch headers after the last index entry.
    /// </summary>
    public void LoadAfterCleanShutdown()
    {
        int size = _sizeBytes;
        long startPosition = OffsetIndex.EntryCount > 0 ? OffsetIndex.EntryAt(OffsetIndex.EntryCount - 1).Position : 0;
        long nextOffset = BaseOffset;
        long maxTimestampMs = TimeIndex.EntryCount > 0 ? TimeIndex.LastEntry.Timestamp : -1;
        long offsetOfMax = TimeIndex.EntryCount > 0 ? TimeIndex.LastEntry.Offset : BaseOffset;
        Span<byte> chunk = stackalloc byte[BatchHeaderScanner.ChunkBytes];
        var scanner = new BatchHeaderScanner(this, startPosition, size, chunk);
        long endOfBatches = startPosition;
        while (scanner.MoveNext())
        {
            nextOffset = scanner.LastOffset + 1;
            endOfBatches = scanner.Position + scanner.SizeBytes;
            if (scanner.MaxTimestamp > maxTimestampMs)
            {
                maxTimestampMs = scanner.MaxTimestamp;
                offsetOfMax = scanner.LastOffset;
            }
        }

        if (endOfBatches != size)
        {
            // Batches must end exactly at the end of the file; anything else (say, a preallocated zero
            // tail a clean close failed to trim) is left to recovery, which cuts what is not a batch.
            throw new InvalidDataException($"{LogPath}: the batches end at {endOfBatches}, the file at {size}; the segment needs recovery");
        }

        if (OffsetIndex.EntryCount > 0 && nextOffset == BaseOffset)
        {
            throw new InvalidDataException($"{LogPath}: index points past the data; the segment needs recovery");
        }

        _maxTimestampMs = maxTimestampMs;
        _offsetOfMaxTimestamp = offsetOfMax;
        _bytesSinceLastIndexEntry = (int)(size - startPosition);
        Volatile.Write(ref _nextOffset, nextOffset);
    }

    /// <summary>
    /// A closed segment opened after a clean stop: its end is the next segment's base offset (an upper
    /// bound that stays right once compaction leaves gaps), and its largest timestamp is the time
    /// index's last entry (written on roll, see <see cref="OnRolled"/>).
    /// </summary>
    public void LoadClosed(long nextOffset)
    {
        Volatile.Write(ref _nextOffset, nextOffset);
        if (TimeIndex.EntryCount > 0)
        {
            _maxTimestampMs = TimeIndex.LastEntry.Timestamp;
            _offsetOfMaxTimestamp = TimeIndex.LastEntry.Offset;
        }
    }

    private bool TryReadValidBatch(long position, long fileLength, long expectedBaseOffset, bool allowOffsetGaps, byte[] chunk, Crc32 crc, out int sizeBytes, out long lastOffset, out long maxTimestampMs)
    {
        sizeBytes = 0;
        lastOffset = -1;
        maxTimestampMs = -1;
        if (position + RecordBatchLayout.HeaderSize > fileLength)
        {
            return false;
        }

        Span<byte> header = chunk.AsSpan(0, RecordBatchLayout.HeaderSize);
        if (RandomAccess.Read(_log, header, position) < RecordBatchLayout.HeaderSize)
        {
            return false;
        }

        int size = RecordBatchHeader.PeekSizeInBytes(header);
        if (size < RecordBatchLayout.HeaderSize || position + size > fileLength)
        {
            return false;
        }

        // The same checks as RecordBatchValidator.ValidateHeader, on the header alone (the length was checked above).
        var view = new RecordBatchHeader(header);
        // A cleaned batch keeps its original offset range (lastOffsetDelta) but may hold fewer records.
        bool countMatches = allowOffsetGaps
            ? view.RecordsCount <= view.LastOffsetDelta + 1 && view.LastOffsetDelta >= 0
            : view.LastOffsetDelta == view.RecordsCount - 1;
        if (view.Magic != RecordBatchLayout.CurrentMagic || view.RecordsCount <= 0 || !countMatches)
        {
            return false;
        }

        if ((int)view.Compression > (int)CompressionCodec.Zstd)
        {
            return false;
        }

        // Appends write contiguous offsets, so the walked part of a log has no gaps: a batch whose
        // baseOffset (outside the CRC) is not the next offset was damaged. Cleaned segments have
        // gaps, so there only a baseOffset going backwards (or below the segment) is caught.
        long baseOffset = view.BaseOffset;
        long last = baseOffset + view.LastOffsetDelta;
        bool offsetOk = allowOffsetGaps ? baseOffset >= expectedBaseOffset : baseOffset == expectedBaseOffset;
        if (!offsetOk || last - BaseOffset > int.MaxValue)
        {
            return false;
        }

        uint expectedCrc = view.Crc;
        long batchMaxTimestamp = view.MaxTimestamp;
        if (!CrcMatches(position, size, expectedCrc, chunk, crc))
        {
            return false;
        }

        sizeBytes = size;
        lastOffset = last;
        maxTimestampMs = batchMaxTimestamp;
        return true;
    }

    private bool CrcMatches(long position, int size, uint expected, byte[] chunk, Crc32 crc)
    {
        crc.Reset();
        long cursor = position + RecordBatchLayout.AttributesOffset;
        long end = position + size;
        while (cursor < end)
        {
            int wanted = (int)Math.Min(chunk.Length, end - cursor);
            int read = RandomAccess.Read(_log, chunk.AsSpan(0, wanted), cursor);
            if (read <= 0)
            {
                return false;
            }

            crc.Append(chunk.AsSpan(0, read));
            cursor += read;
        }

        return crc.GetCurrentHashAsUInt32() == expected;
    }
}
