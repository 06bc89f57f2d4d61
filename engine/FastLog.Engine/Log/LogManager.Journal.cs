using FastLog.Engine.Commit;
using FastLog.Engine.Journal;
using FastLog.Format;

namespace FastLog.Engine.Log;

/// <summary>
/// The directories' commit journals: opened (and replayed) after a directory's partitions, checkpointed
/// by fsyncing those partitions, checkpointed before a partition is deleted and at a clean shutdown.
/// </summary>
public sealed partial class LogManager
{
    /// <summary>The commit journal's directory inside a log directory (not a partition: it has no numeric suffix).</summary>
    public const string JournalDirectoryName = "commit-journal";

    /// <summary>
    /// After the directory's partitions are open: replays what the journal holds that they lost, then
    /// attaches the journal to them. A journal left by a run that had it on is replayed even when it is
    /// off now, then removed, so turning it off never loses an acknowledged write.
    /// </summary>
    private void OpenJournal(LogDirectory directory)
    {
        string path = Path.Combine(directory.Path, JournalDirectoryName);
        bool enabled = _options.CommitJournal;
        if (!enabled && !Directory.Exists(path))
        {
            return;
        }

        var committer = directory.JournalCommitter ?? new GroupCommitter(CommitPolicy.Immediate, _options.TimeProvider, "journal-replay");
        CommitJournal? journal = null;
        try
        {
            journal = CommitJournal.Open(
                new CommitJournalOptions
                {
                    Directory = path,
                    Committer = committer,
                    FlushPartitions = () => SyncPartitions(directory),
                    StartWriteback = () => StartWriteback(directory),

                    // Small, frequent writeback measured best here (OMB workload, 16 partitions at ~65 MB/s):
                    // 5 ms / 16 KiB beat 20 ms / 64 KiB and 100 ms / 512 KiB; none at all let checkpoints stall fsyncs for 200 ms.
                    WritebackIntervalMs = 5,
                    FileSizeBytes = _options.JournalFileSizeBytes,
                },
                (topicPartition, batch) => Replay(directory, topicPartition, batch));
            if (enabled)
            {
                directory.Journal = journal;
                foreach (var (log, owner) in _logs.Values)
                {
                    if (owner == directory)
                    {
                        log.AttachJournal(journal);
                    }
                }
            }
        }
        finally
        {
            if (!enabled)
            {
                journal?.Dispose();
                committer.Dispose();
            }
        }

        if (!enabled)
        {
            // Its open checkpointed past everything it replayed: nothing in it is needed any more.
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>One journal record at open: re-appended when it continues its partition exactly; skipped when the partition already has it.</summary>
    private void Replay(LogDirectory directory, TopicPartition topicPartition, ReadOnlySpan<byte> batch)
    {
        if (!_logs.TryGetValue(topicPartition, out var entry) || entry.Directory != directory)
        {
            return; // deleted since (its deletion checkpointed the journal, so this record is from before a crash mid-delete)
        }

        var log = entry.Log;
        if (batch.Length < RecordBatchLayout.HeaderSize)
        {
            directory.JournalUnplacedBatches++;
            return;
        }

        var header = new RecordBatchHeader(batch);
        long baseOffset = header.BaseOffset;
        long endOffset = baseOffset + header.LastOffsetDelta + 1;
        long logEnd = log.LogEndOffset;
        if (endOffset <= logEnd)
        {
            return; // the partition's own files kept it
        }

        if (baseOffset != logEnd)
        {
            directory.JournalUnplacedBatches++;
            return;
        }

        bool visible = log.HighWatermark >= logEnd;
        var result = log.Append(batch.ToArray(), header.PartitionLeaderEpoch);
        if (!result.IsSuccess || result.BaseOffset != baseOffset)
        {
            directory.JournalUnplacedBatches++;
            return;
        }

        directory.JournalReplayedBatches++;
        if (visible)
        {
            // It was acknowledged before the crash, so readers saw it then: they may see it again.
            log.UpdateHighWatermark(result.EndOffset);
        }
    }

    /// <summary>The journal's checkpoint: every partition of the directory fsynced through its own flusher, side by side.</summary>
    private void SyncPartitions(LogDirectory directory)
    {
        var waits = new List<Task>();
        foreach (var (log, owner) in _logs.Values)
        {
            if (owner == directory)
            {
                waits.Add(log.WaitForOwnFlushAsync(log.LogEndOffset).AsTask());
            }
        }

        foreach (var wait in waits)
        {
            try
            {
                wait.GetAwaiter().GetResult();
            }
            catch (ObjectDisposedException)
            {
                // Closed meanwhile: deleted (its records no longer matter) or closed by a shutdown, whose close fsyncs it.
            }
        }
    }

    /// <summary>The journal's writeback tick: each partition's new bytes start towards the device (see <see cref="PartitionLog.StartWriteback"/>).</summary>
    private void StartWriteback(LogDirectory directory)
    {
        // The dictionary itself, not its Values: that property copies every entry into a new list, 200 times a second here.
        foreach (var (_, (log, owner)) in _logs)
        {
            if (owner == directory)
            {
                log.StartWriteback(WritebackMinBytes, _options.PageCacheTailBytes);
            }
        }
    }

    /// <summary>Below this many new bytes a partition waits for the next tick: tiny writes would cost more than they spread.</summary>
    private const int WritebackMinBytes = 16 * 1024;

    /// <summary>Before a partition's directory is deleted: no record of it may be replayed into a partition of the same name created later.</summary>
    private void CheckpointJournalForDeletion(LogDirectory directory)
    {
        if (directory.Journal is not { } journal)
        {
            return;
        }

        try
        {
            journal.Checkpoint();

            // Producers still waiting for the deleted partition's writes get their (failed) answer now, not at the policy's next fsync.
            journal.RequestFlush();
        }
        catch (IOException e)
        {
            MarkOffline(directory, e);
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    /// <summary>Clean shutdown, before the partitions close: fsyncs them all and checkpoints, so the next open replays nothing.</summary>
    private static void CheckpointJournalForShutdown(LogDirectory directory)
    {
        if (directory.Journal is not { } journal || directory.IsOffline)
        {
            return;
        }

        try
        {
            // Producers still waiting for the journal get their answer before it closes.
            journal.RequestFlush();
            journal.WaitForDurableAsync(journal.AppendedBytes).AsTask().GetAwaiter().GetResult();
            journal.Checkpoint();
        }
        catch (IOException e)
        {
            // No clean-shutdown marker then: the next open recovers and replays.
            directory.Error = e;
        }
    }
}
