using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Segments;

/// <summary>
/// Reads at every offset, bounded by several limits, against the list of appended batches: the
/// answers must be the same whether a lookup is served by the recent-batch window (active
/// segment, tail), by the sparse index and a file scan (older batches, rolled segments), or by a
/// mix (an active segment reopened from disk, whose window starts mid-file).
/// </summary>
public sealed class TailLookupOracleTests : IDisposable
{
    private static readonly TopicPartition Tp = new("lookups", 0);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();
    private readonly List<(long Base, long Last, int Size)> _batches = [];

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    public void Reads_match_the_appended_batches_before_and_after_a_restart(int seed)
    {
        var random = new Random(seed);
        var config = new LogConfig { SegmentBytes = 192 * 1024 };
        using (var log = Open(config))
        {
            AppendRandom(log, random, 900);
            Assert.True(log.SegmentCount > 2, "the test needs rolled segments");
            CheckEveryOffset(log, random);
        }

        using (var reopened = Open(config))
        {
            CheckEveryOffset(reopened, random);

            // A few appends keep the reopened active segment: its window starts mid-file.
            AppendRandom(reopened, random, 5);
            CheckEveryOffset(reopened, random);
            AppendRandom(reopened, random, 300);
            CheckEveryOffset(reopened, random);
        }
    }

    private PartitionLog Open(LogConfig config) =>
        PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _dir.Combine(Tp.DirectoryName),
            TopicPartition = Tp,
            Config = config,
            TimeProvider = _time,
            HadCleanShutdown = true,
        });

    private void AppendRandom(PartitionLog log, Random random, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var batch = TestBatches.Create(random.Next(1, 12), random.Next(10, 400), _time.NowMs, tag: _batches.Count);
            var result = log.Append(batch, leaderEpoch: 0);
            Assert.Equal(AppendStatus.Success, result.Status);
            _batches.Add((result.BaseOffset, result.LastOffset, batch.Length));
        }
    }

    private void CheckEveryOffset(PartitionLog log, Random random)
    {
        // Where each batch sits: its segment (the last one starting at or below it) and its position there.
        var segmentBases = log.Segments.Select(s => s.BaseOffset).ToArray();
        var segmentOf = new long[_batches.Count];
        var positionOf = new long[_batches.Count];
        for (int i = 0; i < _batches.Count; i++)
        {
            segmentOf[i] = segmentBases.Last(s => s <= _batches[i].Base);
            positionOf[i] = i > 0 && segmentOf[i - 1] == segmentOf[i] ? positionOf[i - 1] + _batches[i - 1].Size : 0;
        }

        long end = log.LogEndOffset;
        int first = 0;
        for (long offset = 0; offset <= end; offset++)
        {
            while (first < _batches.Count && _batches[first].Last < offset)
            {
                first++;
            }

            foreach (long limit in new[] { end, random.NextInt64(offset, end + 1), offset + 1 })
            {
                // Expected: from the batch holding the offset, within its segment, every batch ending before the limit.
                long expectedLength = 0;
                for (int i = first; i < _batches.Count && _batches[i].Last < limit && segmentOf[i] == segmentOf[first]; i++)
                {
                    expectedLength += _batches[i].Size;
                }

                var result = log.Read(offset, 1 << 30, limit);
                Assert.Equal(ReadStatus.Success, result.Status);
                var expected = expectedLength == 0 ? (0L, 0L) : (positionOf[first], expectedLength);
                Assert.True(expected == (result.Slice.PositionBytes, (long)result.Slice.LengthBytes), $"read at {offset} up to {limit}: expected {expected}, got ({result.Slice.PositionBytes}, {result.Slice.LengthBytes})");
            }
        }
    }
}
