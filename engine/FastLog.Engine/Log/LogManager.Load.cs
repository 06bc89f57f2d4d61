namespace FastLog.Engine.Log;

/// <summary>Loading directories at start-up, checkpoints, and directory failure.</summary>
public sealed partial class LogManager
{
    private void LoadDirectory(LogDirectory directory)
    {
        try
        {
            Directory.CreateDirectory(directory.Path);
            directory.LockFile = LockDirectory(directory.Path);
            string marker = Path.Combine(directory.Path, CleanShutdownFileName);
            bool cleanShutdown = File.Exists(marker);
            var recoveryPoints = OffsetCheckpointFile.Read(Path.Combine(directory.Path, RecoveryPointCheckpointFileName));
            var logStartOffsets = OffsetCheckpointFile.Read(Path.Combine(directory.Path, LogStartOffsetCheckpointFileName));
            var highWatermarks = OffsetCheckpointFile.Read(Path.Combine(directory.Path, HighWatermarkCheckpointFileName));

            var partitions = new List<(TopicPartition TopicPartition, string Path)>();
            foreach (string child in Directory.EnumerateDirectories(directory.Path))
            {
                string name = Path.GetFileName(child);
                if (name.EndsWith("-delete", StringComparison.Ordinal))
                {
                    // A DeleteLog interrupted by a crash: finish it.
                    Directory.Delete(child, recursive: true);
                    continue;
                }

                if (TopicPartition.TryParseDirectoryName(name, out var topicPartition))
                {
                    partitions.Add((topicPartition, child));
                }
            }

            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.RecoveryThreadsPerDataDir) };
            Parallel.ForEach(partitions, parallel, partition =>
            {
                var config = _options.ConfigFor?.Invoke(partition.TopicPartition) ?? _options.DefaultConfig;
                var log = OpenLog(
                    directory,
                    partition.TopicPartition,
                    config,
                    recoveryPoints.GetValueOrDefault(partition.TopicPartition),
                    logStartOffsets.GetValueOrDefault(partition.TopicPartition),
                    highWatermarks.TryGetValue(partition.TopicPartition, out long hw) ? hw : null,
                    cleanShutdown);
                if (!_logs.TryAdd(partition.TopicPartition, (log, directory)))
                {
                    log.Close();
                    throw new InvalidDataException($"partition {partition.TopicPartition} exists in more than one log directory");
                }
            });

            // Before the marker goes: a journal replay makes the partitions whole first.
            OpenJournal(directory);

            // From here on a crash must be detected at the next start.
            if (cleanShutdown)
            {
                File.Delete(marker);
                Storage.FileSync.SyncDirectory(directory.Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or AggregateException)
        {
            if (e is AggregateException aggregate)
            {
                e = aggregate.Flatten().InnerExceptions[0];
            }

            if (_options.LogDirs.Count == 1)
            {
                // With one directory there is nothing left to serve: fail start-up with the cause.
                // Marking it failed keeps Dispose from writing a clean-shutdown marker over unrecovered partitions.
                directory.Error = e;
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
            }

            MarkOffline(directory, e);
        }
    }

    private PartitionLog OpenLog(LogDirectory directory, TopicPartition topicPartition, LogConfig config, long recoveryPoint, long logStartOffset, long? highWatermark, bool cleanShutdown)
    {
        var log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = Path.Combine(directory.Path, topicPartition.DirectoryName),
            TopicPartition = topicPartition,
            Config = config,
            RecoveryPointOffset = recoveryPoint,
            LogStartOffset = logStartOffset,
            HighWatermark = highWatermark,
            HadCleanShutdown = cleanShutdown,
            TimeProvider = _options.TimeProvider,
            Committer = directory.Committer,
            PreallocateStepBytes = _options.PreallocateStepBytes,
            DirectWriteBufferBytes = _options.DirectWriteBufferBytes,
            OnStorageFailure = (_, error) => MarkOffline(directory, error),
        });
        if (directory.Journal is { } journal)
        {
            log.AttachJournal(journal);
        }

        return log;
    }

    private LogDirectory PickDirectory()
    {
        LogDirectory? best = null;
        int bestCount = int.MaxValue;
        foreach (var directory in _directories)
        {
            if (directory.IsOffline)
            {
                continue;
            }

            int count = _logs.Values.Count(v => v.Directory == directory);
            if (count < bestCount)
            {
                best = directory;
                bestCount = count;
            }
        }

        return best ?? throw new IOException("every log directory is offline");
    }

    private void WriteCheckpoints(LogDirectory directory)
    {
        var logs = _logs.Values.Where(v => v.Directory == directory && !v.Log.IsOffline).Select(v => v.Log).ToList();
        OffsetCheckpointFile.Write(Path.Combine(directory.Path, RecoveryPointCheckpointFileName), logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.RecoveryPoint)));
        OffsetCheckpointFile.Write(Path.Combine(directory.Path, LogStartOffsetCheckpointFileName), logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.LogStartOffset)));
        OffsetCheckpointFile.Write(Path.Combine(directory.Path, HighWatermarkCheckpointFileName), logs.Select(l => KeyValuePair.Create(l.TopicPartition, l.HighWatermark)));
    }

    private void MarkOffline(LogDirectory directory, Exception error)
    {
        lock (directory)
        {
            if (directory.IsOffline)
            {
                return;
            }

            directory.Error = error;
        }

        foreach (var (log, owner) in _logs.Values)
        {
            if (owner == directory)
            {
                log.TakeOffline(error as IOException ?? new IOException(error.Message, error));
            }
        }

        DirectoryOffline?.Invoke(directory);
    }

    /// <summary>An exclusive lock on <c>.lock</c> (flock on Linux) for the manager's lifetime.</summary>
    private static FileStream LockDirectory(string path)
    {
        string lockPath = Path.Combine(path, LockFileName);
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"log directory {path} is in use by another process ({e.Message})", e);
        }
    }
}
