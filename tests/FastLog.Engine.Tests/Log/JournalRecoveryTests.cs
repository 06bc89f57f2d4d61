using FastLog.Engine.Commit;
using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// The log manager with a commit journal. A power loss is simulated by copying the data directory
/// while the manager runs (what the page cache holds), then cutting every partition's segment file
/// back to what its own fsyncs made durable: nothing, since with a journal the partitions are synced
/// only by checkpoints, and the journal's files are far from full here. The journal was fsynced
/// before each append was acknowledged, so the copy of it is what a disk would hold.
/// </summary>
public sealed class JournalRecoveryTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Acknowledged_appends_come_back_from_the_journal_when_the_partitions_lost_them()
    {
        string live = _root.Combine("live");
        var written = new Dictionary<TopicPartition, List<long>>();
        using (var manager = Open(live, journal: true))
        {
            for (int i = 0; i < 120; i++)
            {
                var tp = new TopicPartition(i % 2 == 0 ? "orders" : "audit-log", i % 3);
                var log = manager.GetOrCreateLog(tp);
                var result = log.Append(TestBatches.Create(1 + i % 4, 200, 1_700_000_000_000 + i, tag: i), leaderEpoch: 3);
                Assert.True(result.IsSuccess);
                log.UpdateHighWatermark(result.EndOffset);
                await log.WaitForDurableAsync(result.EndOffset);
                (written.TryGetValue(tp, out var tags) ? tags : written[tp] = []).Add(i);
            }

            // Acknowledged through the journal alone: no partition was fsynced on its own.
            Assert.All(manager.Logs, log => Assert.Equal(0, log.RecoveryPoint));
            Assert.All(manager.Logs, log => Assert.True(log.IsJournaled));
            Assert.True(manager.LogDirectories[0].Journal!.DurableBytes > 0);

            SnapshotAfterPowerLoss(live, _root.Combine("crashed"));
        }

        using var recovered = Open(_root.Combine("crashed"), journal: true);
        Assert.Equal(120, recovered.LogDirectories[0].JournalReplayedBatches);
        Assert.Equal(0, recovered.LogDirectories[0].JournalUnplacedBatches);
        foreach (var (tp, tags) in written)
        {
            Assert.True(recovered.TryGetLog(tp, out var log));
            Assert.Equal(tags, ReadTags(log));

            // Replayed, then fsynced in the partition's own files before the journal was checkpointed past them.
            Assert.Equal(log.LogEndOffset, log.RecoveryPoint);
            Assert.Equal(log.LogEndOffset, log.HighWatermark);
        }
    }

    [Fact]
    public async Task A_deleted_and_recreated_partition_never_gets_the_old_partitions_records()
    {
        string live = _root.Combine("live");
        var tp = new TopicPartition("recreated", 0);
        using (var manager = Open(live, journal: true))
        {
            var old = manager.GetOrCreateLog(tp);
            for (int i = 0; i < 5; i++)
            {
                await AppendDurableAsync(old, TestBatches.Create(2, 50, 1_700_000_000_000, tag: 100 + i));
            }

            Assert.True(manager.DeleteLog(tp));
            var fresh = manager.GetOrCreateLog(tp);
            await AppendDurableAsync(fresh, TestBatches.Create(2, 50, 1_700_000_000_000, tag: 7));
            SnapshotAfterPowerLoss(live, _root.Combine("crashed"));
        }

        using var recovered = Open(_root.Combine("crashed"), journal: true);
        Assert.True(recovered.TryGetLog(tp, out var log));
        Assert.Equal([7L], ReadTags(log));
        Assert.Equal(1, recovered.LogDirectories[0].JournalReplayedBatches);
    }

    [Fact]
    public async Task After_a_clean_shutdown_nothing_is_replayed()
    {
        string dir = _root.Combine("clean");
        var tp = new TopicPartition("t", 0);
        using (var manager = Open(dir, journal: true))
        {
            var log = manager.GetOrCreateLog(tp);
            await AppendDurableAsync(log, TestBatches.Create(3, 100, 1_700_000_000_000, tag: 1));
        }

        using var reopened = Open(dir, journal: true);
        Assert.Equal(0, reopened.LogDirectories[0].JournalReplayedBatches);
        Assert.True(reopened.TryGetLog(tp, out var again));
        Assert.Equal([1L], ReadTags(again));
    }

    [Fact]
    public async Task A_journal_left_by_a_crash_is_replayed_and_removed_when_the_journal_is_now_off()
    {
        string live = _root.Combine("live");
        var tp = new TopicPartition("t", 0);
        using (var manager = Open(live, journal: true))
        {
            var log = manager.GetOrCreateLog(tp);
            for (int i = 0; i < 3; i++)
            {
                await AppendDurableAsync(log, TestBatches.Create(1, 100, 1_700_000_000_000, tag: i));
            }

            SnapshotAfterPowerLoss(live, _root.Combine("crashed"));
        }

        using var recovered = Open(_root.Combine("crashed"), journal: false);
        Assert.Equal(3, recovered.LogDirectories[0].JournalReplayedBatches);
        Assert.Null(recovered.LogDirectories[0].Journal);
        Assert.False(Directory.Exists(Path.Combine(_root.Combine("crashed"), LogManager.JournalDirectoryName)));
        Assert.True(recovered.TryGetLog(tp, out var again));
        Assert.False(again.IsJournaled);
        Assert.Equal([0L, 1L, 2L], ReadTags(again));
    }

    private static async Task AppendDurableAsync(PartitionLog log, byte[] batch)
    {
        var result = log.Append(batch, leaderEpoch: 0);
        await log.WaitForDurableAsync(result.EndOffset);
    }

    private static LogManager Open(string dir, bool journal) => LogManager.Open(new LogManagerOptions
    {
        LogDirs = [dir],
        CommitPolicy = CommitPolicy.Immediate,
        CommitJournal = journal,
        JournalFileSizeBytes = 4 * 1024 * 1024,
    });

    /// <summary>The page cache's view of <paramref name="source"/>, minus every partition byte no partition fsync covered.</summary>
    private static void SnapshotAfterPowerLoss(string source, string target)
    {
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (Path.GetFileName(file) == LogManager.LockFileName)
            {
                continue;
            }

            string copy = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
            if (copy.EndsWith(".log", StringComparison.Ordinal))
            {
                using var stream = new FileStream(copy, FileMode.Open, FileAccess.Write);
                stream.SetLength(0);
            }
        }
    }

    private static List<long> ReadTags(PartitionLog log)
    {
        var tags = new List<long>();
        long offset = log.LogStartOffset;
        var buffer = new byte[1024 * 1024];
        while (offset < log.LogEndOffset)
        {
            int read = log.ReadInto(offset, buffer, log.LogEndOffset);
            Assert.True(read > 0);
            var header = new FastLog.Format.RecordBatchHeader(buffer.AsSpan(0, read));
            int size = header.SizeInBytes;
            tags.Add(TestBatches.ReadTag(buffer.AsSpan(0, size)));
            offset = header.BaseOffset + header.LastOffsetDelta + 1;
        }

        return tags;
    }
}
