using FastLog.Engine.Commit;

namespace FastLog.Engine.Log;

/// <summary>How to open one partition's log: where, with which settings, and from which checkpoints.</summary>
public sealed record PartitionLogOptions
{
    /// <summary>The partition's own directory (<c>&lt;log.dir&gt;/&lt;topic&gt;-&lt;partition&gt;</c>); created if missing.</summary>
    public required string Directory { get; init; }

    public required TopicPartition TopicPartition { get; init; }

    public LogConfig Config { get; init; } = new();

    /// <summary>Offsets below this were durable at the last checkpoint: segments wholly below it skip recovery.</summary>
    public long RecoveryPointOffset { get; init; }

    /// <summary>The checkpointed log start offset (DeleteRecords and retention move it).</summary>
    public long LogStartOffset { get; init; }

    /// <summary>The checkpointed high watermark; null means the log end offset after recovery.</summary>
    public long? HighWatermark { get; init; }

    /// <summary>True when the directory's clean-shutdown marker was present: no segment is walked.</summary>
    public bool HadCleanShutdown { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The group committer that makes appends durable; null means callers flush with <see cref="PartitionLog.Flush"/>.</summary>
    public GroupCommitter? Committer { get; init; }

    /// <summary>
    /// Zero-filled bytes the flusher keeps ahead of the appends when the partition is synced in small
    /// steps (see <see cref="Segments.LogSegment.ExtendPreparedTail"/>); 0 turns preallocation off.
    /// </summary>
    public int PreallocateStepBytes { get; init; } = LogManagerOptions.DefaultPreallocateStepBytes;

    /// <summary>
    /// When above 0, the size of the partition's <see cref="Segments.SegmentWriteBuffer"/>: the active
    /// segment is written from it with direct I/O instead of through the page cache. 0 turns it off.
    /// </summary>
    public int DirectWriteBufferBytes { get; init; }

    /// <summary>Told once when an I/O error takes the log offline (the log manager marks the directory offline).</summary>
    public Action<PartitionLog, IOException>? OnStorageFailure { get; init; }
}
