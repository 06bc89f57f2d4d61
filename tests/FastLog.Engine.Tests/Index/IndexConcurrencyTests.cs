using FastLog.Engine.Index;

namespace FastLog.Engine.Tests.Index;

/// <summary>
/// One writer appends while readers search without locks. Every entry's fields are a function of
/// its slot, so a reader can tell a torn entry (bytes of the new offset with the old zero position)
/// or one seen out of order from a correct one.
/// </summary>
public sealed class IndexConcurrencyTests : IDisposable
{
    private const long BaseOffset = 7_000;
    private const int EntriesToWrite = 200_000;
    private const int ReaderCount = 2;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static long OffsetOf(int slot) => BaseOffset + (3L * slot);

    private static int PositionOf(int slot) => (slot * 64) + (slot % 61);

    private static long TimestampOf(int slot) => 1_700_000_000_000 + (5L * slot);

    [Fact]
    public async Task OffsetIndexReadersNeverSeeTornOrOutOfOrderEntries()
    {
        using var index = new OffsetIndex(_dir.SegmentFile(BaseOffset, ".index"), BaseOffset, EntriesToWrite * OffsetIndex.EntrySizeBytes);
        using var done = new CancellationTokenSource();
        string? failure = null;

        void Read(int seed)
        {
            var random = new Random(seed);
            long previousLast = BaseOffset;
            while (!done.IsCancellationRequested && failure is null)
            {
                int visible = index.EntryCount;
                long last = index.LastOffset;
                if (last < previousLast)
                {
                    failure = $"LastOffset went back from {previousLast} to {last}";
                    return;
                }

                previousLast = last;
                if (visible == 0)
                {
                    continue;
                }

                OffsetPosition newest = index.EntryAt(visible - 1);
                if (newest != new OffsetPosition(OffsetOf(visible - 1), PositionOf(visible - 1)))
                {
                    failure = $"slot {visible - 1} read as {newest}";
                    return;
                }

                // Aim mostly at the tail, where the writer is.
                int targetSlot = random.Next(4) == 0 ? random.Next(visible) : Math.Max(0, visible - 1 - random.Next(64));
                long target = OffsetOf(targetSlot) + random.Next(3) + (random.Next(8) == 0 ? 3000 : 0);
                OffsetPosition found = index.Lookup(target);
                long relative = found.Offset - BaseOffset;
                int slot = (int)(relative / 3);
                int mustReach = (int)Math.Min((target - BaseOffset) / 3, visible - 1);
                if (relative % 3 != 0 || found.Position != PositionOf(slot) || found.Offset > target || slot < mustReach)
                {
                    failure = $"Lookup({target}) with {visible} entries visible returned {found}";
                    return;
                }
            }
        }

        Task[] readers = Enumerable.Range(0, ReaderCount).Select(seed => Task.Run(() => Read(seed))).ToArray();
        for (int slot = 0; slot < EntriesToWrite && failure is null; slot++)
        {
            index.Append(OffsetOf(slot), PositionOf(slot));
        }

        done.Cancel();
        await Task.WhenAll(readers);
        Assert.Null(failure);
        Assert.Equal(EntriesToWrite, index.EntryCount);
        Assert.True(index.SanityCheck(out string? problem), problem);
    }

    [Fact]
    public async Task TimeIndexReadersNeverSeeTornOrOutOfOrderEntries()
    {
        using var index = new TimeIndex(_dir.SegmentFile(BaseOffset, ".timeindex"), BaseOffset, (EntriesToWrite + 1) * TimeIndex.EntrySizeBytes);
        using var done = new CancellationTokenSource();
        string? failure = null;

        void Read(int seed)
        {
            var random = new Random(seed);
            while (!done.IsCancellationRequested && failure is null)
            {
                int visible = index.EntryCount;
                if (visible == 0)
                {
                    continue;
                }

                TimestampOffset newest = index.EntryAt(visible - 1);
                if (newest != new TimestampOffset(TimestampOf(visible - 1), OffsetOf(visible - 1)))
                {
                    failure = $"slot {visible - 1} read as {newest}";
                    return;
                }

                int targetSlot = random.Next(4) == 0 ? random.Next(visible) : Math.Max(0, visible - 1 - random.Next(64));
                long target = TimestampOf(targetSlot) + random.Next(5);
                TimestampOffset found = index.Lookup(target);
                long sinceFirst = found.Timestamp - TimestampOf(0);
                int slot = (int)(sinceFirst / 5);
                if (sinceFirst % 5 != 0 || found.Offset != OffsetOf(slot) || found.Timestamp > target || slot < targetSlot)
                {
                    failure = $"Lookup({target}) with {visible} entries visible returned {found}";
                    return;
                }
            }
        }

        Task[] readers = Enumerable.Range(0, ReaderCount).Select(seed => Task.Run(() => Read(seed))).ToArray();
        for (int slot = 0; slot < EntriesToWrite && failure is null; slot++)
        {
            index.MaybeAppend(TimestampOf(slot), OffsetOf(slot));
        }

        done.Cancel();
        await Task.WhenAll(readers);
        Assert.Null(failure);
        Assert.Equal(EntriesToWrite, index.EntryCount);
        Assert.True(index.SanityCheck(out string? problem), problem);
    }
}
