using System.Buffers.Binary;
using FastLog.Engine.Index;

namespace FastLog.Engine.Tests.Index;

/// <summary>What a broker restarted after a crash or disk trouble can find on disk, and SanityCheck's verdict.</summary>
public sealed class IndexSanityCheckTests : IDisposable
{
    private const long BaseOffset = 500;
    private readonly TempDirectory _dir = new();
    private readonly string _offsetPath;
    private readonly string _timePath;

    public IndexSanityCheckTests()
    {
        _offsetPath = _dir.SegmentFile(BaseOffset, ".index");
        _timePath = _dir.SegmentFile(BaseOffset, ".timeindex");
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void UntrimmedOffsetIndexIsRejectedOnReopen(int entriesWritten)
    {
        using (var index = new OffsetIndex(_offsetPath, BaseOffset, 80))
        {
            for (int i = 0; i < entriesWritten; i++)
            {
                index.Append(BaseOffset + 1 + i, 100 * i);
            }

            Assert.True(index.SanityCheck(out _));

            // No trim: the process "dies" with the preallocated length on disk.
            index.Flush();
        }

        using (var readOnly = new OffsetIndex(_offsetPath, BaseOffset, 80, writable: false))
        {
            Assert.Equal(10, readOnly.EntryCount);
            Assert.False(readOnly.SanityCheck(out string? problem));
            Assert.Contains(_offsetPath, problem, StringComparison.Ordinal);
        }

        using var writable = new OffsetIndex(_offsetPath, BaseOffset, 80);
        Assert.False(writable.SanityCheck(out _));

        // The caller's remedy: reset and rebuild from the log.
        writable.Reset();
        Assert.True(writable.SanityCheck(out string? none));
        Assert.Null(none);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void UntrimmedTimeIndexIsRejectedOnReopen(int entriesWritten)
    {
        using (var index = new TimeIndex(_timePath, BaseOffset, 120))
        {
            for (int i = 0; i < entriesWritten; i++)
            {
                index.MaybeAppend(1_700_000_000_000 + i, BaseOffset + i);
            }
        }

        using var reopened = new TimeIndex(_timePath, BaseOffset, 120, writable: false);
        Assert.Equal(10, reopened.EntryCount);
        Assert.False(reopened.SanityCheck(out _));
    }

    [Fact]
    public void HandWrittenDecreasingOffsetsAreRejected()
    {
        WriteOffsetEntries(_offsetPath, (5, 100), (3, 200));
        using var index = new OffsetIndex(_offsetPath, BaseOffset, 80, writable: false);
        Assert.False(index.SanityCheck(out string? problem));
        Assert.Contains("entry 1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void HandWrittenRepeatedOffsetsAreRejected()
    {
        WriteOffsetEntries(_offsetPath, (5, 100), (5, 200));
        using var index = new OffsetIndex(_offsetPath, BaseOffset, 80, writable: false);
        Assert.False(index.SanityCheck(out _));
    }

    [Fact]
    public void HandWrittenDecreasingPositionsAreRejected()
    {
        WriteOffsetEntries(_offsetPath, (1, 100), (2, 99));
        using var index = new OffsetIndex(_offsetPath, BaseOffset, 80, writable: false);
        Assert.False(index.SanityCheck(out string? problem));
        Assert.Contains("position", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void HandWrittenNegativeRelativeOffsetIsRejected()
    {
        WriteOffsetEntries(_offsetPath, (-1, 0));
        using var index = new OffsetIndex(_offsetPath, BaseOffset, 80, writable: false);
        Assert.False(index.SanityCheck(out _));
    }

    [Fact]
    public void HandWrittenValidOffsetsPass()
    {
        WriteOffsetEntries(_offsetPath, (0, 0), (4, 100), (9, 100));
        using var index = new OffsetIndex(_offsetPath, BaseOffset, 80, writable: false);
        Assert.True(index.SanityCheck(out string? problem), problem);
        Assert.Equal(BaseOffset + 9, index.LastOffset);
        Assert.Equal(new OffsetPosition(BaseOffset + 9, 100), index.EntryAt(2));
    }

    [Fact]
    public void HandWrittenTimeIndexOutOfOrderIsRejected()
    {
        WriteTimeEntries(_timePath, (100, 0), (90, 1));
        using (var index = new TimeIndex(_timePath, BaseOffset, 120, writable: false))
        {
            Assert.False(index.SanityCheck(out string? problem));
            Assert.Contains("timestamp", problem, StringComparison.Ordinal);
        }

        WriteTimeEntries(_timePath, (100, 5), (110, 4));
        using (var index = new TimeIndex(_timePath, BaseOffset, 120, writable: false))
        {
            Assert.False(index.SanityCheck(out string? problem));
            Assert.Contains("offset", problem, StringComparison.Ordinal);
        }

        WriteTimeEntries(_timePath, (100, 5), (110, 5));
        using (var index = new TimeIndex(_timePath, BaseOffset, 120, writable: false))
        {
            Assert.True(index.SanityCheck(out string? problem), problem);
        }
    }

    [Fact]
    public void OffsetIndexLengthNotAMultipleOfEightIsRejected()
    {
        WriteOffsetEntries(_offsetPath, (1, 10), (2, 20));
        using (FileStream stream = File.OpenWrite(_offsetPath))
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write([0, 0, 0, 3, 0]);
        }

        using (var readOnly = new OffsetIndex(_offsetPath, BaseOffset, 80, writable: false))
        {
            Assert.Equal(2, readOnly.EntryCount);
            Assert.False(readOnly.SanityCheck(out string? problem));
            Assert.Contains("multiple", problem, StringComparison.Ordinal);
        }

        using var writable = new OffsetIndex(_offsetPath, BaseOffset, 80);
        Assert.Equal(80, new FileInfo(_offsetPath).Length);
        Assert.Equal(2, writable.EntryCount);
        Assert.False(writable.SanityCheck(out _));
        writable.Reset();
        Assert.True(writable.SanityCheck(out _));
    }

    [Fact]
    public void TimeIndexLengthNotAMultipleOfTwelveIsRejected()
    {
        WriteTimeEntries(_timePath, (100, 0));
        using (FileStream stream = File.OpenWrite(_timePath))
        {
            stream.Seek(0, SeekOrigin.End);
            stream.Write(new byte[8]);
        }

        using var index = new TimeIndex(_timePath, BaseOffset, 120, writable: false);
        Assert.Equal(1, index.EntryCount);
        Assert.False(index.SanityCheck(out _));
    }

    [Fact]
    public void RandomGarbageIsRejected()
    {
        var random = new Random(7);
        byte[] garbage = new byte[800];
        random.NextBytes(garbage);
        File.WriteAllBytes(_offsetPath, garbage);
        File.WriteAllBytes(_timePath, garbage[..792]);

        using var offsetIndex = new OffsetIndex(_offsetPath, BaseOffset, 80, writable: false);
        using var timeIndex = new TimeIndex(_timePath, BaseOffset, 120, writable: false);
        Assert.False(offsetIndex.SanityCheck(out _));
        Assert.False(timeIndex.SanityCheck(out _));
    }

    private static void WriteOffsetEntries(string path, params (int Relative, int Position)[] entries)
    {
        byte[] bytes = new byte[entries.Length * 8];
        for (int i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 8), entries[i].Relative);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((i * 8) + 4), entries[i].Position);
        }

        File.WriteAllBytes(path, bytes);
    }

    private static void WriteTimeEntries(string path, params (long Timestamp, int Relative)[] entries)
    {
        byte[] bytes = new byte[entries.Length * 12];
        for (int i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(i * 12), entries[i].Timestamp);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((i * 12) + 8), entries[i].Relative);
        }

        File.WriteAllBytes(path, bytes);
    }
}
