using FastLog.Engine.Index;

namespace FastLog.Engine.Tests.Index;

public sealed class OffsetIndexTests : IDisposable
{
    private const long BaseOffset = 100;
    private readonly TempDirectory _dir = new();
    private readonly string _path;

    public OffsetIndexTests() => _path = _dir.SegmentFile(BaseOffset, ".index");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void NewFileIsPreallocatedToMaxRoundedDownToWholeEntries()
    {
        using var index = new OffsetIndex(_path, BaseOffset, 85);
        Assert.Equal(80, new FileInfo(_path).Length);
        Assert.Equal(10, index.MaxEntries);
        Assert.Equal(0, index.EntryCount);
        Assert.False(index.IsFull);
        Assert.Equal(BaseOffset, index.LastOffset);
        Assert.Equal(_path, index.Path);
        Assert.True(index.IsWritable);
    }

    [Fact]
    public void TrimmedFileHoldsExactlyTheBigEndianEntries()
    {
        using (var index = new OffsetIndex(_path, BaseOffset, 1024))
        {
            index.Append(100, 0);
            index.Append(105, 4096);
            index.Append(BaseOffset + 0x01020304, 0x0A0B0C0D);
            index.TrimToValidSize();
        }

        byte[] expected =
        [
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 5, 0, 0, 0x10, 0,
            1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D,
        ];
        Assert.Equal(expected, File.ReadAllBytes(_path));
    }

    [Fact]
    public void TrimThenReopenReadOnlyAndWritableKeepsTheEntries()
    {
        var entries = new[] { new OffsetPosition(100, 0), new OffsetPosition(110, 500), new OffsetPosition(111, 900), new OffsetPosition(150, 4000) };
        using (var index = new OffsetIndex(_path, BaseOffset, 800))
        {
            foreach (OffsetPosition entry in entries)
            {
                index.Append(entry.Offset, entry.Position);
            }

            index.TrimToValidSize();

            // Still readable after the trim, and full.
            Assert.Equal(32, new FileInfo(_path).Length);
            Assert.Equal(new OffsetPosition(111, 900), index.Lookup(120));
            Assert.True(index.IsFull);
            Assert.Throws<InvalidOperationException>(() => index.Append(200, 5000));
            index.Flush();
        }

        using (var readOnly = new OffsetIndex(_path, BaseOffset, 800, writable: false))
        {
            Assert.False(readOnly.IsWritable);
            Assert.Equal(entries, Enumerable.Range(0, readOnly.EntryCount).Select(readOnly.EntryAt));
            Assert.Equal(150, readOnly.LastOffset);
            Assert.True(readOnly.SanityCheck(out _));
            Assert.Throws<InvalidOperationException>(() => readOnly.Append(200, 5000));
            Assert.Throws<InvalidOperationException>(() => readOnly.TruncateTo(110));
            Assert.Throws<InvalidOperationException>(() => readOnly.Reset());
            readOnly.TrimToValidSize();
            readOnly.Flush();
            Assert.Equal(32, new FileInfo(_path).Length);
        }

        using (var writable = new OffsetIndex(_path, BaseOffset, 800))
        {
            Assert.Equal(entries, Enumerable.Range(0, writable.EntryCount).Select(writable.EntryAt));
            Assert.Equal(800, new FileInfo(_path).Length);
            Assert.Equal(100, writable.MaxEntries);
            writable.Append(200, 5000);
            Assert.Equal(new OffsetPosition(200, 5000), writable.Lookup(long.MaxValue));
            Assert.True(writable.SanityCheck(out string? problem), problem);
        }
    }

    [Fact]
    public void EmptyIndexTrimsToAnEmptyFileAndReopens()
    {
        using (var index = new OffsetIndex(_path, BaseOffset, 80))
        {
            index.TrimToValidSize();
            Assert.Equal(0, new FileInfo(_path).Length);
            Assert.Equal(0, index.MaxEntries);
            Assert.True(index.IsFull);
            Assert.Equal(new OffsetPosition(BaseOffset, 0), index.Lookup(500));
        }

        using (var readOnly = new OffsetIndex(_path, BaseOffset, 80, writable: false))
        {
            Assert.Equal(0, readOnly.EntryCount);
            Assert.Equal(new OffsetPosition(BaseOffset, 0), readOnly.Lookup(500));
            Assert.True(readOnly.SanityCheck(out _));
        }

        using var writable = new OffsetIndex(_path, BaseOffset, 80);
        Assert.Equal(10, writable.MaxEntries);
        writable.Append(BaseOffset, 0);
        Assert.Equal(1, writable.EntryCount);
    }

    [Fact]
    public void ReadOnlyOpenOfAMissingFileThrows() =>
        Assert.Throws<FileNotFoundException>(() => new OffsetIndex(_path, BaseOffset, 80, writable: false));

    [Fact]
    public void FullIndexRefusesAppend()
    {
        using var index = new OffsetIndex(_path, BaseOffset, 32);
        Assert.Equal(4, index.MaxEntries);
        for (int i = 0; i < 4; i++)
        {
            Assert.False(index.IsFull);
            index.Append(BaseOffset + i, i * 10);
        }

        Assert.True(index.IsFull);
        Assert.Throws<InvalidOperationException>(() => index.Append(BaseOffset + 10, 100));
        Assert.Equal(4, index.EntryCount);
    }

    [Fact]
    public void AppendRejectsOutOfOrderAndOutOfRangeValues()
    {
        using var index = new OffsetIndex(_path, BaseOffset, 800);
        index.Append(110, 1000);
        Assert.Throws<InvalidOperationException>(() => index.Append(110, 2000));
        Assert.Throws<InvalidOperationException>(() => index.Append(105, 2000));
        Assert.Throws<InvalidOperationException>(() => index.Append(120, 999));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Append(BaseOffset - 1, 2000));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Append(BaseOffset + int.MaxValue + 1L, 2000));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Append(120, -1));
        Assert.Equal(1, index.EntryCount);

        Assert.True(index.CanAppendOffset(BaseOffset + int.MaxValue));
        Assert.False(index.CanAppendOffset(BaseOffset + int.MaxValue + 1L));
        index.Append(BaseOffset + int.MaxValue, 1000);
        Assert.Equal(BaseOffset + int.MaxValue, index.LastOffset);
        Assert.Equal(new OffsetPosition(BaseOffset + int.MaxValue, 1000), index.Lookup(long.MaxValue));
    }

    [Fact]
    public void ConstructorRejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetIndex(_path, -1, 80));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetIndex(_path, BaseOffset, 7));
        Assert.Throws<ArgumentException>(() => new OffsetIndex("", BaseOffset, 80));
    }

    [Fact]
    public void TruncateToDropsEntriesAtOrAboveTheOffset()
    {
        using var index = new OffsetIndex(_path, BaseOffset, 800);
        foreach (int relative in new[] { 0, 10, 20, 30 })
        {
            index.Append(BaseOffset + relative, relative * 100);
        }

        index.TruncateTo(BaseOffset + 31);
        Assert.Equal(4, index.EntryCount);
        index.TruncateTo(BaseOffset + 30);
        Assert.Equal(3, index.EntryCount);
        Assert.Equal(BaseOffset + 20, index.LastOffset);
        index.TruncateTo(BaseOffset + 15);
        Assert.Equal(2, index.EntryCount);
        Assert.Equal(new OffsetPosition(BaseOffset + 10, 1000), index.Lookup(BaseOffset + 1000));

        // Appending resumes right after the kept entries.
        index.Append(BaseOffset + 11, 1000);
        Assert.Equal(3, index.EntryCount);

        index.TruncateTo(BaseOffset);
        Assert.Equal(0, index.EntryCount);
        Assert.Equal(BaseOffset, index.LastOffset);
        index.Append(BaseOffset + 5, 0);
        Assert.Equal(new OffsetPosition(BaseOffset + 5, 0), index.EntryAt(0));
        index.TruncateTo(0);
        Assert.Equal(0, index.EntryCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.EntryAt(0));
    }

    [Fact]
    public void TruncateZeroesTheDroppedSlots()
    {
        using (var index = new OffsetIndex(_path, BaseOffset, 32))
        {
            index.Append(BaseOffset + 1, 10);
            index.Append(BaseOffset + 2, 20);
            index.Append(BaseOffset + 3, 30);
            index.TruncateTo(BaseOffset + 2);
            index.Flush();
        }

        byte[] bytes = File.ReadAllBytes(_path);
        Assert.Equal(32, bytes.Length);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 10 }, bytes[..8]);
        Assert.All(bytes[8..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void ResetDropsEverythingAndRegrowsATrimmedFile()
    {
        using var index = new OffsetIndex(_path, BaseOffset, 80);
        index.Append(BaseOffset, 0);
        index.Append(BaseOffset + 7, 70);
        index.TrimToValidSize();
        Assert.Equal(16, new FileInfo(_path).Length);

        index.Reset();
        Assert.Equal(0, index.EntryCount);
        Assert.Equal(10, index.MaxEntries);
        Assert.Equal(80, new FileInfo(_path).Length);
        Assert.Equal(new OffsetPosition(BaseOffset, 0), index.Lookup(BaseOffset + 7));
        index.Append(BaseOffset + 3, 30);
        Assert.Equal(BaseOffset + 3, index.LastOffset);
    }

    [Fact]
    public void ResizeReopensATrimmedIndexForAppends()
    {
        using var index = new OffsetIndex(_path, BaseOffset, 80);
        index.Append(BaseOffset + 1, 10);
        index.TrimToValidSize();
        Assert.True(index.IsFull);

        index.Resize(160);
        Assert.Equal(20, index.MaxEntries);
        Assert.Equal(160, new FileInfo(_path).Length);
        index.Append(BaseOffset + 2, 20);
        Assert.Equal(new OffsetPosition(BaseOffset + 1, 10), index.EntryAt(0));

        // Never shrinks below the entries it holds.
        index.Resize(8);
        Assert.Equal(2, index.MaxEntries);
        Assert.Equal(2, index.EntryCount);
    }

    [Fact]
    public void RenameKeepsTheIndexUsable()
    {
        string renamed = _path + ".deleted";
        using var index = new OffsetIndex(_path, BaseOffset, 80);
        index.Append(BaseOffset + 1, 10);
        index.RenameTo(renamed);
        Assert.Equal(renamed, index.Path);
        Assert.False(File.Exists(_path));
        index.Append(BaseOffset + 2, 20);
        Assert.Equal(new OffsetPosition(BaseOffset + 2, 20), index.Lookup(BaseOffset + 2));
    }

    [Fact]
    public void DisposedIndexRefusesChangesAndDisposesTwice()
    {
        var index = new OffsetIndex(_path, BaseOffset, 80);
        index.Append(BaseOffset + 1, 10);
        index.Dispose();
        index.Dispose();
        Assert.Throws<ObjectDisposedException>(() => index.Append(BaseOffset + 2, 20));
        Assert.Throws<ObjectDisposedException>(() => index.TrimToValidSize());
        Assert.Equal(0, index.EntryCount);
    }
}
