using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// Many partitions over several log.dirs: spread, reloaded in parallel, checkpointed, cleanly
/// closed; and an I/O failure in one directory takes only that directory offline.
/// </summary>
public sealed class LogManagerTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    private string DirA => _root.Combine("a");

    private string DirB => _root.Combine("b");

    private LogManager Open(params string[] dirs) => LogManager.Open(new LogManagerOptions { LogDirs = dirs, RecoveryThreadsPerDataDir = 4 });

    [Fact]
    public void Partitions_spread_over_directories_and_reload_with_their_offsets()
    {
        var expected = new Dictionary<TopicPartition, long>();
        using (var manager = Open(DirA, DirB))
        {
            for (int p = 0; p < 12; p++)
            {
                var tp = new TopicPartition(p % 2 == 0 ? "alpha" : "beta-topic", p);
                var log = manager.GetOrCreateLog(tp);
                for (int i = 0; i <= p; i++)
                {
                    log.Append(TestBatches.Create(3, 20, 1_700_000_000_000, i), 0);
                }

                log.UpdateHighWatermark(log.LogEndOffset);
                expected[tp] = log.LogEndOffset;
            }

            Assert.Equal(6, Directory.GetDirectories(DirA).Length);
            Assert.Equal(6, Directory.GetDirectories(DirB).Length);
        }

        Assert.True(File.Exists(Path.Combine(DirA, LogManager.CleanShutdownFileName)));
        var recoveryPoints = OffsetCheckpointFile.Read(Path.Combine(DirA, LogManager.RecoveryPointCheckpointFileName))
            .Concat(OffsetCheckpointFile.Read(Path.Combine(DirB, LogManager.RecoveryPointCheckpointFileName)))
            .ToDictionary();
        Assert.Equal(expected, recoveryPoints);

        using (var manager = Open(DirA, DirB))
        {
            Assert.False(File.Exists(Path.Combine(DirA, LogManager.CleanShutdownFileName)));
            Assert.Equal(12, manager.Logs.Count());
            foreach (var (tp, end) in expected)
            {
                Assert.True(manager.TryGetLog(tp, out var log));
                Assert.Equal(end, log.LogEndOffset);
                Assert.Equal(end, log.HighWatermark);
                Assert.Equal(0, TestBatches.ReadTag(log.Read(0, 1, long.MaxValue).Slice.ToArray()));
            }
        }
    }

    [Fact]
    public void A_second_process_cannot_open_a_directory_in_use()
    {
        using var manager = Open(DirA);
        var error = Assert.Throws<IOException>(() => Open(DirA));
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_that_cannot_load_goes_offline_and_the_others_serve()
    {
        File.WriteAllText(DirA, "not a directory");
        using var manager = Open(DirA, DirB);

        Assert.True(manager.LogDirectories[0].IsOffline);
        Assert.False(manager.LogDirectories[1].IsOffline);
        var log = manager.GetOrCreateLog(new TopicPartition("t", 0));
        Assert.StartsWith(DirB, log.Directory, StringComparison.Ordinal);
        Assert.True(log.Append(TestBatches.Create(1, 10, 0, 0), 0).IsSuccess);
    }

    [Fact]
    public void A_write_error_takes_its_directory_offline_and_the_process_keeps_serving_the_others()
    {
        // A segment file that is /dev/full makes every write fail with ENOSPC: a real I/O error.
        var broken = new TopicPartition("broken", 0);
        string brokenDir = Path.Combine(DirA, broken.DirectoryName);
        Directory.CreateDirectory(brokenDir);
        File.CreateSymbolicLink(Path.Combine(brokenDir, "00000000000000000000.log"), "/dev/full");
        File.WriteAllBytes(Path.Combine(DirA, LogManager.CleanShutdownFileName), []);

        using var manager = Open(DirA, DirB);
        var healthy = manager.GetOrCreateLog(new TopicPartition("healthy", 0));
        Assert.StartsWith(DirB, healthy.Directory, StringComparison.Ordinal);
        Assert.True(manager.TryGetLog(broken, out var brokenLog));
        LogDirectory? reported = null;
        manager.DirectoryOffline += d => reported = d;

        var failed = brokenLog.Append(TestBatches.Create(1, 10, 0, 0), 0);

        Assert.Equal(AppendStatus.StorageError, failed.Status);
        Assert.Equal(56, failed.KafkaErrorCode);
        Assert.True(manager.LogDirectories[0].IsOffline);
        Assert.Same(manager.LogDirectories[0], reported);
        Assert.Equal(ReadStatus.StorageError, brokenLog.Read(0, 100, long.MaxValue).Status);
        Assert.True(healthy.Append(TestBatches.Create(1, 10, 0, 1), 0).IsSuccess);
        Assert.StartsWith(DirB, manager.GetOrCreateLog(new TopicPartition("later", 0)).Directory, StringComparison.Ordinal);
    }

    [Fact]
    public void Deleting_a_log_removes_its_directory()
    {
        using var manager = Open(DirA);
        var tp = new TopicPartition("gone", 1);
        var log = manager.GetOrCreateLog(tp);
        log.Append(TestBatches.Create(1, 10, 0, 0), 0);

        Assert.True(manager.DeleteLog(tp));
        Assert.False(manager.TryGetLog(tp, out _));
        Assert.Empty(Directory.GetDirectories(DirA));
    }
}
