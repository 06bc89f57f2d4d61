using FastLog.Engine.Index;

namespace FastLog.Engine.Tests.Index;

/// <summary>Append and Lookup sit on the produce and fetch paths: they must not allocate.</summary>
public sealed class IndexAllocationTests : IDisposable
{
    private const int Iterations = 20_000;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OffsetIndexAppendAndLookupDoNotAllocate()
    {
        using var index = new OffsetIndex(_dir.SegmentFile(0, ".index"), 0, (Iterations + 100) * OffsetIndex.EntrySizeBytes);
        long checksum = Run(index, 0, 100);

        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += Run(index, 100, Iterations);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, checksum);
    }

    [Fact]
    public void TimeIndexMaybeAppendAndLookupDoNotAllocate()
    {
        using var index = new TimeIndex(_dir.SegmentFile(0, ".timeindex"), 0, (Iterations + 101) * TimeIndex.EntrySizeBytes);
        long checksum = Run(index, 0, 100);

        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += Run(index, 100, Iterations);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.NotEqual(0, checksum);
    }

    private static long Run(OffsetIndex index, int start, int count)
    {
        long checksum = 0;
        for (int i = start; i < start + count; i++)
        {
            index.Append(2L * i, 100 * i);
            checksum += index.Lookup(i).Position;
            checksum += index.Lookup(2L * i).Offset;
            checksum += index.LastOffset + index.EntryCount;
            checksum += index.EntryAt(i / 2).Offset;
        }

        return checksum;
    }

    private static long Run(TimeIndex index, int start, int count)
    {
        long checksum = 0;
        for (int i = start; i < start + count; i++)
        {
            index.MaybeAppend(10L * i, i);
            index.MaybeAppend(10L * i, i);
            checksum += index.Lookup(5L * i).Offset;
            checksum += index.Lookup(10L * i).Timestamp;
            checksum += index.LastEntry.Offset + index.EntryCount;
            checksum += index.EntryAt(i / 2).Timestamp;
        }

        return checksum;
    }
}
