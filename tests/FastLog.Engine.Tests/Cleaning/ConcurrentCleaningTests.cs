using FastLog.Engine.Cleaning;
using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Cleaning;

/// <summary>
/// Readers and an appender run while the cleaner swaps segments: every read sees only records that
/// were written, at their offsets, in order, and the latest value of every key written before the
/// pass — segments change under the reader one atomic array swap at a time, oldest first.
/// </summary>
public sealed class ConcurrentCleaningTests : IDisposable
{
    private static readonly TopicPartition Tp = new("table", 0);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Readers_see_a_correct_log_while_segments_are_swapped()
    {
        // file.delete.delay.ms is never reached on fake time: old segments stay open for readers mid-read.
        var config = CompactionTests.Compacted() with { FileDeleteDelayMs = 60_000, MinCleanableDirtyRatio = 0 };
        using var log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _dir.Combine(Tp.DirectoryName),
            TopicPartition = Tp,
            Config = config,
            TimeProvider = _time,
        });
        var written = new System.Collections.Concurrent.ConcurrentDictionary<long, KeyedLog.Rec>();
        void Write(int round)
        {
            for (int group = 0; group < 5; group++)
            {
                var records = new (string, string?)[4];
                for (int j = 0; j < 4; j++)
                {
                    records[j] = ($"k{group * 4 + j}", $"r{round}");
                }

                KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, records));
            }
        }

        for (int round = 0; round < 10; round++)
        {
            Write(round);
        }

        foreach (var r in KeyedLog.ReadAll(log))
        {
            written[r.Offset] = r;
        }

        var baseline = KeyedLog.Latest(written.Values.OrderBy(r => r.Offset));
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        int reads = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var seen = KeyedLog.ReadAll(log);
                    foreach (var r in seen)
                    {
                        if (written.TryGetValue(r.Offset, out var original))
                        {
                            Assert.Equal(original, r);
                        }
                    }

                    var latest = KeyedLog.Latest(seen);
                    foreach (var (key, _) in baseline)
                    {
                        Assert.True(latest.ContainsKey(key), $"{key} missing from a read");
                    }

                    Interlocked.Increment(ref reads);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                    return;
                }
            }
        })).ToArray();

        using var cleaner = new LogCleaner(_time);
        for (int round = 10; round < 40 && failures.IsEmpty; round++)
        {
            Write(round);
            foreach (var r in KeyedLog.ReadAll(log).Where(r => r.Offset >= log.LogEndOffset - 20))
            {
                written.TryAdd(r.Offset, r);
            }

            cleaner.Clean(log);
        }

        // Let the readers overlap at least a few passes' worth of reads.
        SpinWait.SpinUntil(() => Volatile.Read(ref reads) >= 20 || !failures.IsEmpty, TimeSpan.FromSeconds(30));
        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Empty(failures);
        Assert.True(reads > 0);
        var final = KeyedLog.ReadAll(log);
        Assert.All(KeyedLog.Latest(final), e => Assert.Equal("r39", e.Value));

        // Only the uncleanable tail (active segment, not yet cleaned) may still hold older values.
        Assert.True(final.Count < 20 * 40 / 4, $"{final.Count} records left of {20 * 40}");
    }
}
