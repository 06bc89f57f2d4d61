using FastLog.Engine.Index;

namespace FastLog.Engine.Tests.Index;

public sealed class TimeIndexTests : IDisposable
{
    private const long BaseOffset = 1000;
    private readonly TempDirectory _dir = new();
    private readonly string _path;

    public TimeIndexTests() => _path = _dir.SegmentFile(BaseOffset, ".timeindex");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void NewFileIsPreallocatedToMaxRoundedDownToWholeEntries()
    {
        using var index = new TimeIndex(_path, BaseOffset, 130);
        Assert.Equal(120, new FileInfo(_path).Length);
        Assert.Equal(10, index.MaxEntries);
        Assert.Equal(new TimestampOffset(-1, BaseOffset), index.LastEntry);
    }

    [Fact]
    public void TrimmedFileHoldsExactlyTheBigEndianEntries()
    {
        using (var index = new TimeIndex(_path, BaseOffset, 1200))
        {
            index.MaybeAppend(0x0102030405060708, BaseOffset + 3);
            index.MaybeAppend(0x0102030405060709, BaseOffset + 0x0A0B0C0D);
            index.TrimToValidSize();
        }

        byte[] expected =
        [
            1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 3,
            1, 2, 3, 4, 5, 6, 7, 9, 0x0A, 0x0B, 0x0C, 0x0D,
        ];
        Assert.Equal(expected, File.ReadAllBytes(_path));
    }

    [Fact]
    public void NonIncreasingTimestampsAreIgnored()
    {
        using var index = new TimeIndex(_path, BaseOffset, 1200);
        index.MaybeAppend(-1, BaseOffset);
        Assert.Equal(0, index.EntryCount);
        index.MaybeAppend(500, BaseOffset + 1);
        index.MaybeAppend(500, BaseOffset + 2);
        index.MaybeAppend(400, BaseOffset + 3);
        Assert.Equal(1, index.EntryCount);
        Assert.Equal(new TimestampOffset(500, BaseOffset + 1), index.LastEntry);

        // A new maximum at the same offset is an entry: offsets need only not decrease.
        index.MaybeAppend(600, BaseOffset + 1);
        Assert.Equal(new TimestampOffset(600, BaseOffset + 1), index.LastEntry);
        Assert.Equal(2, index.EntryCount);
    }

    [Fact]
    public void MaybeAppendRejectsDecreasingAndOutOfRangeOffsets()
    {
        using var index = new TimeIndex(_path, BaseOffset, 1200);
        index.MaybeAppend(500, BaseOffset + 10);
        Assert.Throws<InvalidOperationException>(() => index.MaybeAppend(600, BaseOffset + 9));
        Assert.Throws<InvalidOperationException>(() => index.MaybeAppend(400, BaseOffset + 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.MaybeAppend(700, BaseOffset - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.MaybeAppend(700, BaseOffset + int.MaxValue + 1L));
        Assert.Equal(1, index.EntryCount);
        index.MaybeAppend(700, BaseOffset + int.MaxValue);
        Assert.Equal(new TimestampOffset(700, BaseOffset + int.MaxValue), index.Lookup(700));
    }

    [Fact]
    public void IsFullReservesTheLastSlotForTheRollEntry()
    {
        using var index = new TimeIndex(_path, BaseOffset, 48);
        Assert.Equal(4, index.MaxEntries);
        index.MaybeAppend(10, BaseOffset);
        index.MaybeAppend(20, BaseOffset + 1);
        Assert.False(index.IsFull);
        index.MaybeAppend(30, BaseOffset + 2);
        Assert.True(index.IsFull);

        Assert.Throws<InvalidOperationException>(() => index.MaybeAppend(40, BaseOffset + 3));

        // Nothing to add, so nothing to refuse.
        index.MaybeAppend(30, BaseOffset + 3);

        index.MaybeAppend(40, BaseOffset + 3, skipFullCheck: true);
        Assert.Equal(4, index.EntryCount);
        Assert.Throws<InvalidOperationException>(() => index.MaybeAppend(50, BaseOffset + 4, skipFullCheck: true));
        Assert.Equal(new TimestampOffset(40, BaseOffset + 3), index.LastEntry);
    }

    [Fact]
    public void TrimThenReopenReadOnlyAndWritableKeepsTheEntries()
    {
        var entries = new[] { new TimestampOffset(100, 1000), new TimestampOffset(150, 1000), new TimestampOffset(170, 1040) };
        using (var index = new TimeIndex(_path, BaseOffset, 1200))
        {
            foreach (TimestampOffset entry in entries)
            {
                index.MaybeAppend(entry.Timestamp, entry.Offset);
            }

            index.TrimToValidSize();
            Assert.Equal(36, new FileInfo(_path).Length);
            Assert.Equal(new TimestampOffset(150, 1000), index.Lookup(160));
            Assert.True(index.IsFull);
        }

        using (var readOnly = new TimeIndex(_path, BaseOffset, 1200, writable: false))
        {
            Assert.Equal(entries, Enumerable.Range(0, readOnly.EntryCount).Select(readOnly.EntryAt));
            Assert.Equal(entries[^1], readOnly.LastEntry);
            Assert.True(readOnly.SanityCheck(out _));
            Assert.Throws<InvalidOperationException>(() => readOnly.MaybeAppend(200, 1050));
            Assert.Throws<InvalidOperationException>(() => readOnly.TruncateTo(1040));
        }

        using var writable = new TimeIndex(_path, BaseOffset, 1200);
        Assert.Equal(entries, Enumerable.Range(0, writable.EntryCount).Select(writable.EntryAt));
        Assert.Equal(100, writable.MaxEntries);
        writable.MaybeAppend(200, 1050);
        Assert.Equal(new TimestampOffset(200, 1050), writable.Lookup(long.MaxValue));
    }

    [Fact]
    public void TruncateToDropsEntriesAtOrAboveTheOffsetIncludingRepeatedOffsets()
    {
        using var index = new TimeIndex(_path, BaseOffset, 1200);
        index.MaybeAppend(100, BaseOffset + 10);
        index.MaybeAppend(110, BaseOffset + 10);
        index.MaybeAppend(120, BaseOffset + 20);
        index.MaybeAppend(130, BaseOffset + 20);
        index.MaybeAppend(140, BaseOffset + 30);

        index.TruncateTo(BaseOffset + 21);
        Assert.Equal(4, index.EntryCount);
        index.TruncateTo(BaseOffset + 20);
        Assert.Equal(2, index.EntryCount);
        Assert.Equal(new TimestampOffset(110, BaseOffset + 10), index.LastEntry);

        // The timestamps dropped with the truncated records may be indexed again.
        index.MaybeAppend(120, BaseOffset + 15);
        Assert.Equal(3, index.EntryCount);

        index.TruncateTo(BaseOffset + 10);
        Assert.Equal(0, index.EntryCount);
        Assert.Equal(new TimestampOffset(-1, BaseOffset), index.LastEntry);
        Assert.Equal(new TimestampOffset(-1, BaseOffset), index.Lookup(1000));
    }

    [Fact]
    public void ResetDropsEverythingAndRegrowsATrimmedFile()
    {
        using var index = new TimeIndex(_path, BaseOffset, 120);
        index.MaybeAppend(100, BaseOffset);
        index.TrimToValidSize();
        Assert.Equal(12, new FileInfo(_path).Length);

        index.Reset();
        Assert.Equal(0, index.EntryCount);
        Assert.Equal(120, new FileInfo(_path).Length);
        Assert.Equal(10, index.MaxEntries);
        index.MaybeAppend(50, BaseOffset);
        Assert.Equal(new TimestampOffset(50, BaseOffset), index.LastEntry);
    }

    [Fact]
    public void ResizeReopensATrimmedIndexForAppends()
    {
        using var index = new TimeIndex(_path, BaseOffset, 120);
        index.MaybeAppend(100, BaseOffset);
        index.TrimToValidSize();
        Assert.Throws<InvalidOperationException>(() => index.MaybeAppend(200, BaseOffset + 1));

        index.Resize(240);
        Assert.Equal(20, index.MaxEntries);
        index.MaybeAppend(200, BaseOffset + 1);
        Assert.Equal(2, index.EntryCount);
    }

    [Fact]
    public void DisposedIndexRefusesChanges()
    {
        var index = new TimeIndex(_path, BaseOffset, 120);
        index.Dispose();
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.MaybeAppend(1, BaseOffset));
        Assert.Throws<ObjectDisposedException>(() => index.Reset());
    }
}
