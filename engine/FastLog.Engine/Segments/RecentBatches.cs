using System.Runtime.CompilerServices;

namespace FastLog.Engine.Segments;

/// <summary>
/// Where the last <see cref="Capacity"/> batches appended to a segment start, end and which offsets
/// they hold, kept in memory so that a lookup near the tail (a consumer that has caught up, the limit
/// of a fetch at the high watermark) finds its batch without reading the file. Without it, every such
/// lookup reads a page of batch headers after the sparse index entry: on a broker serving many
/// caught-up partitions that was one or two <c>pread</c> calls per partition per fetch.
/// </summary>
/// <remarks>
/// One writer (the segment's appender, under the partition's append lock), any number of lock-free
/// readers. The writer fills a slot, then publishes the count; a batch is recorded before the
/// segment publishes the size that includes it, so a reader that read the size first finds every
/// batch below that size here (or learns that the batches it needs are older than the window).
/// Slots are reused round-robin: a reader searches only the newer half of the window and checks
/// afterwards that the writer has not come round to the slots it read; otherwise it falls back to
/// the file. Answers are exact or absent, never approximate.
/// </remarks>
internal sealed class RecentBatches
{
    /// <summary>Slots (a power of two): the newest 32 searched cover what a caught-up reader asks for, in 1 KiB per active segment.</summary>
    public const int Capacity = 64;

    private const int Mask = Capacity - 1;

    /// <summary>Readers search at most this many of the newest slots, so the writer can append the rest before a slot they read is reused.</summary>
    private const int SearchWindow = Capacity / 2;

    private readonly long[] _lastOffsets = new long[Capacity];
    private readonly int[] _positions = new int[Capacity];
    private readonly int[] _sizes = new int[Capacity];
    private long _count;

    /// <summary>Batches recorded so far.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Records the next batch (positions must increase). Writer only; call before publishing the size that includes it.</summary>
    public void Record(long lastOffset, int position, int sizeBytes)
    {
        long index = _count;
        int slot = (int)(index & Mask);
        _lastOffsets[slot] = lastOffset;
        _positions[slot] = position;
        _sizes[slot] = sizeBytes;
        Volatile.Write(ref _count, index + 1);
    }

    /// <summary>
    /// Finds the first batch, among those wholly below <paramref name="sizeBytes"/>, whose last offset
    /// is at or past <paramref name="targetOffset"/>.
    /// </summary>
    /// <returns>
    /// True when the answer is known from memory: <paramref name="position"/> is the batch's position,
    /// or -1 when no batch below <paramref name="sizeBytes"/> reaches the offset. False when the answer
    /// may lie in batches older than the window (or the writer overtook the search): read the file.
    /// </returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFind(long targetOffset, int sizeBytes, out int position, out int batchSizeBytes)
    {
        position = -1;
        batchSizeBytes = 0;
        long count = Volatile.Read(ref _count);
        if (count == 0)
        {
            return false;
        }

        long low = Math.Max(0, count - SearchWindow);

        // First index in [low, count) whose last offset reaches the target: last offsets increase.
        long lo = low;
        long hi = count;
        while (lo < hi)
        {
            long mid = lo + ((hi - lo) >> 1);
            if (_lastOffsets[(int)(mid & Mask)] >= targetOffset)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        bool found;
        if (lo == count)
        {
            // Every batch in the window ends before the target; the window holds the newest batches,
            // so nothing below sizeBytes reaches it.
            found = true;
        }
        else
        {
            int slot = (int)(lo & Mask);
            int start = _positions[slot];
            int size = _sizes[slot];

            // The batch before it (in the window) ends before the target, so this is the first batch
            // reaching it; at the window's edge that holds only for the segment's first batch.
            found = lo > low || start == 0;
            if (found && start + (long)size <= sizeBytes)
            {
                position = start;
                batchSizeBytes = size;
            }
        }

        // The slots read must not have been reused meanwhile: the writer reuses the slot of index i
        // while it records index i + Capacity. Order the reads above before re-reading the count.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _count) - low >= Capacity - 1)
        {
            position = -1;
            batchSizeBytes = 0;
            return false;
        }

        return found;
    }
}
