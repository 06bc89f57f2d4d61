using FastLog.Engine.Commit;

namespace FastLog.Engine.Log;

/// <summary>
/// One entry of log.dirs: its flusher and whether it is online. An I/O error in any partition
/// takes the whole directory offline (Kafka's LogDirFailureChannel): its partitions stop serving,
/// the process keeps serving the other directories.
/// </summary>
public sealed class LogDirectory
{
    internal LogDirectory(string path, GroupCommitter? committer)
    {
        Path = path;
        Committer = committer;
    }

    public string Path { get; }

    internal GroupCommitter? Committer { get; }

    /// <summary>The flusher of this directory's commit journal, when it keeps one.</summary>
    internal GroupCommitter? JournalCommitter { get; set; }

    /// <summary>The directory's commit journal, when it keeps one.</summary>
    public Journal.CommitJournal? Journal { get; internal set; }

    /// <summary>Batches the last open re-appended from the journal (lost from the partitions' files).</summary>
    public long JournalReplayedBatches { get; internal set; }

    /// <summary>Journal batches the last open could not place (their partition's log ended before them, or refused them); 0 unless something outside the journal's promises happened.</summary>
    public long JournalUnplacedBatches { get; internal set; }

    internal FileStream? LockFile { get; set; }

    public bool IsOffline => Error is not null;

    /// <summary>The error that took the directory offline, if any.</summary>
    public Exception? Error { get; internal set; }

    public override string ToString() => IsOffline ? $"{Path} (offline: {Error!.Message})" : Path;
}
