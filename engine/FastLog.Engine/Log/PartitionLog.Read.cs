using FastLog.Engine.Segments;

namespace FastLog.Engine.Log;

/// <summary>The read path: lock-free over a snapshot of the segments.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Reads from <paramref name="offset"/>: a file slice starting at the batch holding it, at most
    /// <paramref name="maxBytes"/> long (a larger first batch is returned whole when
    /// <paramref name="minOneBatch"/>), never past <paramref name="maxOffsetExclusive"/> (the high
    /// watermark for consumers, the log end offset for replicas) and never across a segment boundary.
    /// Reading at the log end offset returns an empty slice; outside [log start, log end] is OFFSET_OUT_OF_RANGE.
    /// </summary>
    public LogReadResult Read(long offset, int maxBytes, long maxOffsetExclusive, bool minOneBatch = true)
    {
        long logStart = LogStartOffset;
        long logEnd = LogEndOffset;
        long highWatermark = HighWatermark;
        if (_offline)
        {
            return new LogReadResult(ReadStatus.StorageError, FileSlice.Empty, highWatermark, logStart, logEnd);
        }

        if (offset < logStart || offset > logEnd)
        {
            return new LogReadResult(ReadStatus.OffsetOutOfRange, FileSlice.Empty, highWatermark, logStart, logEnd);
        }

        long limit = Math.Min(maxOffsetExclusive, logEnd);
        if (offset >= limit || maxBytes < 0)
        {
            return new LogReadResult(ReadStatus.Success, FileSlice.Empty, highWatermark, logStart, logEnd);
        }

        if (!TryEnterRead())
        {
            // Closed (its topic deleted): nothing to serve any more.
            return new LogReadResult(ReadStatus.Closed, FileSlice.Empty, highWatermark, logStart, logEnd);
        }

        var segments = Volatile.Read(ref _segments);
        try
        {
            for (int i = FloorSegmentIndex(segments, offset); i < segments.Length; i++)
            {
                var slice = segments[i].Read(offset, maxBytes, limit, minOneBatch);
                if (!slice.IsEmpty)
                {
                    return new LogReadResult(ReadStatus.Success, slice, highWatermark, logStart, logEnd);
                }

                // Nothing at or past the offset in this segment (e.g. the offset sits in a gap left by
                // compaction): continue in the next one.
            }
        }
        catch (IOException e)
        {
            TakeOffline(e);
            return new LogReadResult(ReadStatus.StorageError, FileSlice.Empty, highWatermark, logStart, logEnd);
        }
        catch (ObjectDisposedException) when (_closed)
        {
            // The log was closed under the reader (its topic deleted): nothing to serve any more.
            return new LogReadResult(ReadStatus.Closed, FileSlice.Empty, highWatermark, logStart, logEnd);
        }
        finally
        {
            ExitRead();
        }

        return new LogReadResult(ReadStatus.Success, FileSlice.Empty, highWatermark, logStart, logEnd);
    }

    /// <summary>
    /// Copying read: the bytes a <see cref="Read"/> slice covers, copied into <paramref name="destination"/>
    /// (at most its length). Returns the byte count, or -1 for an offset out of range or an offline log.
    /// </summary>
    public int ReadInto(long offset, Span<byte> destination, long maxOffsetExclusive)
    {
        var result = Read(offset, destination.Length, maxOffsetExclusive, minOneBatch: false);
        if (result.Status != ReadStatus.Success)
        {
            return -1;
        }

        try
        {
            return result.Slice.CopyTo(destination);
        }
        catch (IOException e)
        {
            TakeOffline(e);
            return -1;
        }
    }

    /// <summary>
    /// The base offset and file slice of the first batch whose max timestamp is at or after
    /// <paramref name="timestampMs"/> (ListOffsets by timestamp narrows to the record inside it).
    /// False when every record is older.
    /// </summary>
    public bool TryFindBatchByTimestamp(long timestampMs, out long batchBaseOffset, out FileSlice batch)
    {
        batchBaseOffset = -1;
        batch = FileSlice.Empty;
        long logStart = LogStartOffset;
        if (!TryEnterRead())
        {
            return false;
        }

        try
        {
            var segments = Volatile.Read(ref _segments);
            foreach (var segment in segments)
            {
                if (segment.NextOffset <= logStart || (segment.MaxTimestampMs < timestampMs && segment != segments[^1]))
                {
                    continue;
                }

                if (segment.TryFindBatchByTimestamp(timestampMs, out long baseOffset, out long position, out int sizeBytes))
                {
                    batchBaseOffset = baseOffset;
                    batch = segment.Slice(position, sizeBytes);
                    return true;
                }
            }

            return false;
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>
    /// Registers a reader of the segments' indexes, unless the log is closed. <see cref="Close"/> waits
    /// for registered readers before it trims and unmaps the indexes: a lookup in an unmapped index
    /// would read freed memory (a topic deleted while a fetch or ListOffsets reads it).
    /// </summary>
    private bool TryEnterRead()
    {
        // Increment first, then check: Close sets the flag first, then checks the count (both with full
        // fences), so either this reader sees the close or the close sees this reader.
        Interlocked.Increment(ref _activeReaders);
        if (_closed)
        {
            Interlocked.Decrement(ref _activeReaders);
            return false;
        }

        return true;
    }

    private void ExitRead() => Interlocked.Decrement(ref _activeReaders);

    /// <summary>Close: waits until no reader registered before the close is still inside the indexes.</summary>
    private void WaitForReaders()
    {
        Interlocked.MemoryBarrier();
        var spin = new SpinWait();
        while (Volatile.Read(ref _activeReaders) != 0)
        {
            spin.SpinOnce();
        }
    }

    /// <summary>The index of the last segment whose base offset is ≤ offset (0 when the offset precedes all).</summary>
    private static int FloorSegmentIndex(LogSegment[] segments, long offset)
    {
        int low = 0;
        int high = segments.Length - 1;
        while (low < high)
        {
            int mid = (low + high + 1) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }
}
