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

    internal FileStream? LockFile { get; set; }

    public bool IsOffline => Error is not null;

    /// <summary>The error that took the directory offline, if any.</summary>
    public Exception? Error { get; internal set; }

    public override string ToString() => IsOffline ? $"{Path} (offline: {Error!.Message})" : Path;
}
