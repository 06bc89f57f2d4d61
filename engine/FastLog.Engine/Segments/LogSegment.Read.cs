using FastLog.Engine.Index;

namespace FastLog.Engine.Segments;

/// <summary>Lookups and reads: lock-free, bounded by the published <see cref="SizeBytes"/>.</summary>
public sealed partial class LogSegment
{
    /// <summary>
    /// Finds the first batch whose last offset is at or past <paramref name="targetOffset"/>, among the
    /// batches below <paramref name="sizeBytes"/>: from the recent batches kept in memory when the
    /// offset is near the tail, else by a sparse index lookup and a header scan from that position.
    /// </summary>
    /// <returns>The batch position, or -1 when no batch of this segment reaches the offset.</returns>
    public int FindBatchPosition(long targetOffset, int sizeBytes, out int batchSizeBytes)
    {
        var recent = Volatile.Read(ref _recentBatches);
        if (recent is not null && recent.TryFind(targetOffset, sizeBytes, out int recentPosition, out batchSizeBytes))
        {
            return recentPosition;
        }

        batchSizeBytes = 0;
        OffsetPosition entry = OffsetIndex.Lookup(targetOffset);
        Span<byte> chunk = stackalloc byte[BatchHeaderScanner.ChunkBytes];
        var scanner = new BatchHeaderScanner(this, entry.Position, sizeBytes, chunk);
        while (scanner.MoveNext())
        {
            if (scanner.LastOffset >= targetOffset)
            {
                batchSizeBytes = scanner.SizeBytes;
                return (int)scanner.Position;
            }
        }

        return -1;
    }

    /// <summary>
    /// The bytes to serve for a fetch at <paramref name="startOffset"/>: from the batch holding it to
    /// at most <paramref name="maxBytes"/> further (a partial last batch is allowed, as in Kafka),
    /// never past the first batch at or above <paramref name="maxOffsetExclusive"/>. When
    /// <paramref name="minOneBatch"/> is set, a first batch larger than maxBytes is still returned whole.
    /// </summary>
    public FileSlice Read(long startOffset, int maxBytes, long maxOffsetExclusive, bool minOneBatch)
    {
        int size = SizeBytes;
        int start = FindBatchPosition(startOffset, size, out int firstBatchBytes);
        if (start < 0)
        {
            return FileSlice.Empty;
        }

        int maxPosition = size;
        if (maxOffsetExclusive < NextOffset)
        {
            int limit = FindBatchPosition(maxOffsetExclusive, size, out _);
            if (limit >= 0)
            {
                maxPosition = limit;
            }
        }

        if (start >= maxPosition)
        {
            return FileSlice.Empty;
        }

        int adjustedMax = minOneBatch ? Math.Max(maxBytes, firstBatchBytes) : maxBytes;
        int length = Math.Min(maxPosition - start, adjustedMax);
        return length <= 0 ? FileSlice.Empty : Slice(start, length);
    }

    /// <summary>
    /// The first batch whose max timestamp is at or after <paramref name="timestampMs"/>, found through
    /// the time index and a header scan. Returns false when every batch here is older.
    /// </summary>
    public bool TryFindBatchByTimestamp(long timestampMs, out long batchBaseOffset, out long batchPosition, out int batchSizeBytes)
    {
        batchBaseOffset = -1;
        batchPosition = -1;
        batchSizeBytes = 0;
        int size = SizeBytes;
        TimestampOffset timeEntry = TimeIndex.Lookup(timestampMs);
        OffsetPosition start = OffsetIndex.Lookup(timeEntry.Offset);
        Span<byte> chunk = stackalloc byte[BatchHeaderScanner.ChunkBytes];
        var scanner = new BatchHeaderScanner(this, start.Position, size, chunk);
        while (scanner.MoveNext())
        {
            if (scanner.MaxTimestamp >= timestampMs)
            {
                batchBaseOffset = scanner.BaseOffset;
                batchPosition = scanner.Position;
                batchSizeBytes = scanner.SizeBytes;
                return true;
            }
        }

        return false;
    }

    /// <summary>A slice of this segment's file; while a write buffer is attached, one that reads through <see cref="ReadAt"/>.</summary>
    public FileSlice Slice(long positionBytes, int lengthBytes) =>
        new(_log, positionBytes, lengthBytes) { Source = Volatile.Read(ref _writeBuffer) is null ? null : this };
}
