using FastLog.Engine.Index;

namespace FastLog.Engine.Tests.Index;

/// <summary>
/// Lookups on random indexes against a sorted-array oracle. Sizes cover indexes smaller than the
/// warm section (only the tail search runs) and several times larger (both the warm tail and the
/// cold head are searched).
/// </summary>
public sealed class IndexOracleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<int, int> SeedsAndSizes => new()
    {
        { 1, 1 },
        { 2, 7 },
        { 3, 1000 },
        { 4, 5000 },
        { 42, 20_000 },
        { 1234, 3333 },
    };

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(SeedsAndSizes))]
    public void OffsetIndexLookupMatchesOracle(int seed, int entryCount)
    {
        var random = new Random(seed);
        long baseOffset = random.Next(0, 1_000_000);
        var offsets = new long[entryCount];
        var positions = new int[entryCount];
        long offset = baseOffset + random.Next(0, 3);
        int position = 0;
        for (int i = 0; i < entryCount; i++)
        {
            offsets[i] = offset;
            positions[i] = position;
            offset += random.Next(1, 50);
            position += random.Next(0, 5000);
        }

        using var index = new OffsetIndex(_dir.SegmentFile(baseOffset, ".index"), baseOffset, entryCount * OffsetIndex.EntrySizeBytes);
        for (int i = 0; i < entryCount; i++)
        {
            index.Append(offsets[i], positions[i]);
        }

        Assert.Equal(entryCount, index.EntryCount);
        Assert.True(index.IsFull);
        Assert.Equal(offsets[^1], index.LastOffset);

        void Check(long target)
        {
            int slot = LargestAtOrBelow(offsets, target);
            OffsetPosition expected = slot < 0 ? new OffsetPosition(baseOffset, 0) : new OffsetPosition(offsets[slot], positions[slot]);
            Assert.Equal(expected, index.Lookup(target));
        }

        foreach (long target in Targets(random, offsets, baseOffset))
        {
            Check(target);
        }

        for (int i = 0; i < entryCount; i++)
        {
            Assert.Equal(new OffsetPosition(offsets[i], positions[i]), index.EntryAt(i));
        }

        // The same answers after a trim and a read-only reopen.
        index.TrimToValidSize();
        Check(offsets[^1]);
        index.Dispose();
        using var reopened = new OffsetIndex(_dir.SegmentFile(baseOffset, ".index"), baseOffset, 0, writable: false);
        Assert.Equal(entryCount, reopened.EntryCount);
        foreach (long target in Targets(new Random(seed), offsets, baseOffset))
        {
            int slot = LargestAtOrBelow(offsets, target);
            OffsetPosition expected = slot < 0 ? new OffsetPosition(baseOffset, 0) : new OffsetPosition(offsets[slot], positions[slot]);
            Assert.Equal(expected, reopened.Lookup(target));
        }
    }

    [Theory]
    [MemberData(nameof(SeedsAndSizes))]
    public void TimeIndexLookupMatchesOracle(int seed, int appendCount)
    {
        var random = new Random(seed);
        long baseOffset = random.Next(0, 1_000_000);
        using var index = new TimeIndex(_dir.SegmentFile(baseOffset, ".timeindex"), baseOffset, (appendCount + 1) * TimeIndex.EntrySizeBytes);

        // Timestamps wander up and down like producer clocks do; only new maxima become entries.
        var timestamps = new List<long>();
        var offsets = new List<long>();
        long timestamp = 1_700_000_000_000 + random.Next(0, 1000);
        long offset = baseOffset;
        for (int i = 0; i < appendCount; i++)
        {
            index.MaybeAppend(timestamp, offset);
            if (timestamps.Count == 0 || timestamp > timestamps[^1])
            {
                timestamps.Add(timestamp);
                offsets.Add(offset);
            }

            timestamp += random.Next(-20, 100);
            offset += random.Next(0, 10);
        }

        long[] expectedTimestamps = timestamps.ToArray();
        Assert.Equal(expectedTimestamps.Length, index.EntryCount);
        Assert.Equal(new TimestampOffset(expectedTimestamps[^1], offsets[^1]), index.LastEntry);
        for (int i = 0; i < expectedTimestamps.Length; i++)
        {
            Assert.Equal(new TimestampOffset(expectedTimestamps[i], offsets[i]), index.EntryAt(i));
        }

        foreach (long target in Targets(random, expectedTimestamps, expectedTimestamps[0] - 100))
        {
            int slot = LargestAtOrBelow(expectedTimestamps, target);
            TimestampOffset expected = slot < 0 ? new TimestampOffset(-1, baseOffset) : new TimestampOffset(expectedTimestamps[slot], offsets[slot]);
            Assert.Equal(expected, index.Lookup(target));
        }

        Assert.Equal(new TimestampOffset(-1, baseOffset), index.Lookup(long.MinValue));
        Assert.Equal(new TimestampOffset(expectedTimestamps[^1], offsets[^1]), index.Lookup(long.MaxValue));
    }

    [Fact]
    public void LookupOnEmptyIndexesReturnsTheBase()
    {
        using var offsetIndex = new OffsetIndex(_dir.SegmentFile(50, ".index"), 50, 1024);
        using var timeIndex = new TimeIndex(_dir.SegmentFile(50, ".timeindex"), 50, 1024);
        Assert.Equal(new OffsetPosition(50, 0), offsetIndex.Lookup(0));
        Assert.Equal(new OffsetPosition(50, 0), offsetIndex.Lookup(long.MaxValue));
        Assert.Equal(new TimestampOffset(-1, 50), timeIndex.Lookup(long.MaxValue));
        Assert.Equal(50, offsetIndex.LastOffset);
        Assert.Equal(new TimestampOffset(-1, 50), timeIndex.LastEntry);
    }

    /// <summary>Every key, its neighbours, the warm section boundaries, both ends, and random values in and around the range.</summary>
    private static IEnumerable<long> Targets(Random random, long[] keys, long below)
    {
        yield return long.MinValue;
        yield return below - 1;
        yield return keys[0] - 1;
        yield return keys[^1] + 1;
        yield return keys[^1] + 1_000_000;
        yield return long.MaxValue;
        foreach (int warmEntries in new[] { IndexWarmEntries(OffsetIndex.EntrySizeBytes), IndexWarmEntries(TimeIndex.EntrySizeBytes) })
        {
            for (int delta = -2; delta <= 2; delta++)
            {
                int slot = keys.Length - warmEntries + delta;
                if (slot >= 0 && slot < keys.Length)
                {
                    yield return keys[slot];
                    yield return keys[slot] - 1;
                }
            }
        }

        foreach (long key in keys)
        {
            yield return key;
            yield return key - 1;
            yield return key + 1;
        }

        long span = keys[^1] - keys[0] + 200;
        for (int i = 0; i < 2000; i++)
        {
            yield return keys[0] - 100 + (long)(random.NextDouble() * span);
        }
    }

    private static int IndexWarmEntries(int entrySizeBytes) => 8192 / entrySizeBytes;

    private static int LargestAtOrBelow(long[] sortedKeys, long target)
    {
        int found = Array.BinarySearch(sortedKeys, target);
        return found >= 0 ? found : ~found - 1;
    }
}
