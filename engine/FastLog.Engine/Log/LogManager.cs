using System.Collections.Concurrent;
using FastLog.Engine.Commit;

namespace FastLog.Engine.Log;

/// <summary>
/// All partition logs of a broker, spread over one or more log directories.
/// </summary>
/// <remarks>
/// Start-up: each directory is locked (a second process on the same directory fails fast), its
/// checkpoints read, and its partitions opened in parallel; partitions of a directory without the
/// clean-shutdown marker are recovered from the recovery-point checkpoint. The marker is removed
/// once loaded, so a crash from then on is detected at the next start.
/// Shutdown: every log is flushed and closed, checkpoints written, then the marker.
/// Failure isolation: an I/O error marks its directory offline; that directory's partitions answer
/// KAFKA_STORAGE_ERROR while the other directories keep serving.
/// </remarks>
public sealed partial class LogManager : IDisposable
{
    public const string CleanShutdownFileName = ".kafka_cleanshutdown";
    public const string RecoveryPointCheckpointFileName = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetCheckpointFileName = "log-start-offset-checkpoint";
    public const string HighWatermarkCheckpointFileName = "replication-offset-checkpoint";
    public const string LockFileName = ".lock";

    private readonly LogManagerOptions _options;
    private readonly LogDirectory[] _directories;
    private readonly ConcurrentDictionary<TopicPartition, (PartitionLog Log, LogDirectory Directory)> _logs = new();
    private readonly object _createLock = new();
    private bool _disposed;

    private LogManager(LogManagerOptions options, LogDirectory[] directories)
    {
        _options = options;
        _directories = directories;
    }

    public IReadOnlyList<LogDirectory> LogDirectories => _directories;

    public IEnumerable<PartitionLog> Logs => _logs.Values.Select(v => v.Log);

    /// <summary>Told when a directory goes offline (for metrics and the broker's metadata).</summary>
    public event Action<LogDirectory>? DirectoryOffline;

    /// <summary>Opens (and if needed recovers) every partition found in the log directories.</summary>
    public static LogManager Open(LogManagerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LogDirs.Count == 0)
        {
            throw new ArgumentException("log.dirs must name at least one directory", nameof(options));
        }

        options.DefaultConfig.Validate();
        var directories = new LogDirectory[options.LogDirs.Count];
        for (int i = 0; i < directories.Length; i++)
        {
            string path = Path.GetFullPath(options.LogDirs[i]);
            // With a journal, the policy is the journal's; partitions are fsynced when the journal checkpoints (or a batch bypasses it).
            var partitionPolicy = options.CommitJournal ? CommitPolicy.Immediate : options.CommitPolicy;
            var committer = new GroupCommitter(partitionPolicy, options.TimeProvider, $"dir{i}", options.FlushObserver, options.FlushThreadsPerDataDir);
            directories[i] = new LogDirectory(path, committer)
            {
                JournalCommitter = options.CommitJournal ? new GroupCommitter(options.CommitPolicy, options.TimeProvider, $"dir{i}-journal", options.FlushObserver) : null,
            };
        }

        var manager = new LogManager(options, directories);
        try
        {
            Parallel.ForEach(directories, new ParallelOptions { MaxDegreeOfParallelism = directories.Length }, manager.LoadDirectory);
        }
        catch (AggregateException e)
        {
            manager.Dispose();

            // Report the directory's own error (e.g. "in use by another process"), not the parallel wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            throw;
        }
        catch
        {
            manager.Dispose();
            throw;
        }

        return manager;
    }

    public bool TryGetLog(TopicPartition topicPartition, out PartitionLog log)
    {
        if (_logs.TryGetValue(topicPartition, out var entry))
        {
            log = entry.Log;
            return true;
        }

        log = null!;
        return false;
    }

    /// <summary>The partition's log, created in the online directory holding the fewest partitions if it does not exist.</summary>
    public PartitionLog GetOrCreateLog(TopicPartition topicPartition, LogConfig? config = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_logs.TryGetValue(topicPartition, out var existing))
        {
            return existing.Log;
        }

        lock (_createLock)
        {
            if (_logs.TryGetValue(topicPartition, out existing))
            {
                return existing.Log;
            }

            var directory = PickDirectory();
            var log = OpenLog(directory, topicPartition, config ?? _options.DefaultConfig, recoveryPoint: 0, logStartOffset: 0, highWatermark: null, cleanShutdown: true);
            _logs[topicPartition] = (log, directory);
            return log;
        }
    }

    /// <summary>Closes the partition's log and removes its directory (DeleteTopics).</summary>
    public bool DeleteLog(TopicPartition topicPartition)
    {
        if (!_logs.TryRemove(topicPartition, out var entry))
        {
            return false;
        }

        entry.Log.MarkDeleted();
        entry.Log.Close();
        CheckpointJournalForDeletion(entry.Directory);

        // Rename first so a crash mid-delete leaves a name that start-up ignores and removes.
        string doomed = $"{entry.Log.Directory}.{Guid.NewGuid():N}-delete";
        Directory.Move(entry.Log.Directory, doomed);
        Directory.Delete(doomed, recursive: true);
        return true;
    }

    /// <summary>Runs retention over every online log; returns the number of segments deleted.</summary>
    public int RunRetention()
    {
        int deleted = 0;
        foreach (var (log, _) in _logs.Values)
        {
            deleted += log.DeleteRetainedSegments();
        }

        return deleted;
    }

    /// <summary>Writes the recovery-point, log-start-offset and high-watermark checkpoints of every online directory.</summary>
    public void CheckpointAll()
    {
        foreach (var directory in _directories)
        {
            if (directory.IsOffline)
            {
                continue;
            }

            try
            {
                WriteCheckpoints(directory);
            }
            catch (IOException e)
            {
                MarkOffline(directory, e);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var directory in _directories)
        {
            CheckpointJournalForShutdown(directory);
        }

        foreach (var (log, _) in _logs.Values)
        {
            log.Close();
        }

        foreach (var directory in _directories)
        {
            if (!directory.IsOffline && directory.LockFile is not null)
            {
                try
                {
                    WriteCheckpoints(directory);
                    File.WriteAllBytes(Path.Combine(directory.Path, CleanShutdownFileName), []);
                    Storage.FileSync.SyncDirectory(directory.Path);
                }
                catch (IOException e)
                {
                    directory.Error = e;
                }
            }

            directory.Journal?.Dispose();
            directory.JournalCommitter?.Dispose();
            directory.Committer?.Dispose();
            directory.LockFile?.Dispose();
        }
    }
}
