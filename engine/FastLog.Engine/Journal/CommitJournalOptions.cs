using FastLog.Engine.Commit;

namespace FastLog.Engine.Journal;

/// <summary>How a <see cref="CommitJournal"/> opens: where, how large its files are, who syncs it and how it checkpoints.</summary>
public sealed record CommitJournalOptions
{
    /// <summary>Default size of one journal file: large enough that a checkpoint (every partition fsynced once) finishes long before the next file fills.</summary>
    public const int DefaultFileSizeBytes = 64 * 1024 * 1024;

    /// <summary>The journal's own directory (created when missing); nothing else may live in it.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// The committer whose flushers fsync the journal; its policy decides when (with
    /// <see cref="CommitPolicy.Immediate"/>, as soon as someone waits).
    /// </summary>
    public required GroupCommitter Committer { get; init; }

    /// <summary>
    /// Makes everything appended to the partitions so far durable in their own files (fsync of each
    /// dirty partition). Called on the journal's checkpoint thread after a file fills, on the caller's
    /// thread by <see cref="CommitJournal.Checkpoint"/>, and once at open after a replay. An
    /// <see cref="IOException"/> fails the journal.
    /// </summary>
    public required Action FlushPartitions { get; init; }

    /// <summary>
    /// Called on the checkpoint thread every <see cref="WritebackIntervalMs"/>: the owner starts writing
    /// its partitions' new bytes to the device (without waiting), so checkpoints find little left to sync.
    /// </summary>
    public Action? StartWriteback { get; init; }

    /// <summary>Period of <see cref="StartWriteback"/>.</summary>
    public int WritebackIntervalMs { get; init; } = 20;

    /// <summary>Bytes per journal file, fixed: files are laid out once and then reused. A record larger than this is refused.</summary>
    public int FileSizeBytes { get; init; } = DefaultFileSizeBytes;
}
