using FastLog.Engine.Cleaning;
using FastLog.Engine.Log;
using FastLog.Engine.Segments;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Cleaning;

/// <summary>
/// A crash at every step of a cleaned segment's swap (simulated by throwing from the cleaner's step
/// hook and reopening without a clean shutdown) leaves a readable log holding, per segment, either
/// the old or the cleaned contents: every record read is one that was written, at its offset, and
/// every key's latest value is there.
/// </summary>
public sealed class SwapCrashTests : IDisposable
{
    private static readonly TopicPartition Tp = new("table", 0);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    private string PartitionDir => _dir.Combine(Tp.DirectoryName);

    private PartitionLog OpenLog(bool clean) => PartitionLog.Open(new PartitionLogOptions
    {
        Directory = PartitionDir,
        TopicPartition = Tp,
        Config = CompactionTests.Compacted(),
        TimeProvider = _time,
        HadCleanShutdown = clean,
        RecoveryPointOffset = 0,
    });

    private sealed class SimulatedCrash : Exception
    {
    }

    [Theory]
    [InlineData("indexes-staged", 0, true)]
    [InlineData("swap-decided", 0, true)]
    [InlineData("old-marked-deleted", 0, true)]
    [InlineData("indexes-renamed", 0, true)]
    [InlineData("swap-renamed", 0, true)]
    [InlineData("empty-removed", 0, false)]
    [InlineData("indexes-staged", 2, true)]
    [InlineData("swap-decided", 2, true)]
    [InlineData("old-marked-deleted", 2, true)]
    [InlineData("indexes-renamed", 2, true)]
    public void A_crash_at_any_swap_step_reopens_to_a_correct_log(string step, int swapsBeforeCrash, bool uniqueKeys)
    {
        var log = OpenLog(clean: true);
        if (uniqueKeys)
        {
            // A key written once in every batch: no segment empties, every one is swapped.
            for (int i = 0; i < 30; i++)
            {
                KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, ($"u{i}", "once"), ($"k{i % 7}", $"v{i}"), ($"k{(i + 3) % 7}", $"w{i}")));
            }
        }

        CompactionTests.WriteTable(log, _time.NowMs);
        KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, ("tail", new string('t', 1100))));
        KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, ("tail", "active")));
        log.Flush();
        var written = KeyedLog.ReadAll(log);
        var byOffset = written.ToDictionary(r => r.Offset);
        var expected = KeyedLog.Latest(written);
        long end = log.LogEndOffset;
        Assert.True(log.SegmentCount >= 4);

        int seen = 0;
        using (var cleaner = new LogCleaner(_time))
        {
            cleaner.CrashHook = name =>
            {
                if (name == step && seen++ == swapsBeforeCrash)
                {
                    throw new SimulatedCrash();
                }
            };
            Assert.Throws<SimulatedCrash>(() => cleaner.Clean(log));
        }

        // The process "dies" here: the log is abandoned without a close.
        using var reopened = OpenLog(clean: false);
        Assert.False(reopened.IsOffline);
        Assert.Equal(end, reopened.LogEndOffset);
        Assert.Empty(Directory.EnumerateFiles(PartitionDir, "*.swap"));
        Assert.False(Directory.Exists(Path.Combine(PartitionDir, PartitionLog.CleanedDirectoryName)));
        var recovered = KeyedLog.ReadAll(reopened);
        Assert.All(recovered, r => Assert.Equal(byOffset[r.Offset], r));
        Assert.Equal(expected, KeyedLog.Latest(recovered));
        Assert.Contains(recovered, r => r.Value == "active");

        // A cleaning after the crash completes the job.
        reopened.UpdateHighWatermark(reopened.LogEndOffset);
        using (var cleaner = new LogCleaner(_time))
        {
            reopened.Config = reopened.Config with { MinCleanableDirtyRatio = 0 };
            cleaner.Clean(reopened);
        }

        var final = KeyedLog.ReadAll(reopened);
        Assert.Equal(expected, KeyedLog.Latest(final));
        Assert.Equal(final.Count, final.Select(r => r.Key).Distinct().Count() + final.Count(r => r.Key == "tail") - 1);
        GC.KeepAlive(log);
    }

    [Fact]
    public void Leftover_staging_files_and_undecided_index_swaps_are_discarded_at_open()
    {
        using (var log = OpenLog(clean: true))
        {
            CompactionTests.WriteTable(log, _time.NowMs);
        }

        string staging = Path.Combine(PartitionDir, PartitionLog.CleanedDirectoryName);
        Directory.CreateDirectory(staging);
        File.WriteAllBytes(SegmentFileNames.LogFile(staging, 0), new byte[100]);
        File.WriteAllBytes(SegmentFileNames.IndexFile(PartitionDir, 0) + SegmentFileNames.SwapSuffix, new byte[16]);
        File.WriteAllBytes(SegmentFileNames.LogFile(PartitionDir, 0) + SegmentFileNames.CleanedSuffix, new byte[100]);

        using var reopened = OpenLog(clean: false);
        Assert.False(Directory.Exists(staging));
        Assert.Empty(Directory.EnumerateFiles(PartitionDir, "*.swap"));
        Assert.Empty(Directory.EnumerateFiles(PartitionDir, "*.cleaned"));
        Assert.Equal(20, KeyedLog.Latest(KeyedLog.ReadAll(reopened)).Count);
    }

    [Fact]
    public void A_gap_in_a_segment_the_cleaner_never_wrote_is_still_cut_by_recovery()
    {
        // The strict check stays for appended segments: above the cleaner checkpoint's gap offset a
        // damaged baseOffset still truncates the log.
        using (var log = OpenLog(clean: true))
        {
            CompactionTests.WriteTable(log, _time.NowMs, rounds: 1);
        }

        Assert.Equal(CleanerCheckpoint.Empty, CleanerCheckpoint.Read(PartitionDir));
        string path = SegmentFileNames.LogFile(PartitionDir, 0);
        byte[] bytes = File.ReadAllBytes(path);
        int second = Format.RecordBatchHeader.PeekSizeInBytes(bytes);
        bytes[second + 7] ^= 0x10; // the second batch's baseOffset jumps forward
        File.WriteAllBytes(path, bytes);

        using var reopened = OpenLog(clean: false);
        Assert.Equal(4, reopened.LogEndOffset);
    }
}
