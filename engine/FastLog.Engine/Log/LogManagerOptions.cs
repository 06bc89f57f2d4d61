using FastLog.Engine.Commit;

namespace FastLog.Engine.Log;

/// <summary>Settings of the <see cref="LogManager"/>, named after the broker configs they come from.</summary>
public sealed record LogManagerOptions
{
    /// <summary>log.dirs: one or more directories; partitions are spread over them.</summary>
    public required IReadOnlyList<string> LogDirs { get; init; }

    /// <summary>The broker-wide defaults (log.* configs) for partitions without topic overrides.</summary>
    public LogConfig DefaultConfig { get; init; } = new();

    /// <summary>The config of an existing partition found on disk at start-up; defaults to <see cref="DefaultConfig"/>.</summary>
    public Func<TopicPartition, LogConfig>? ConfigFor { get; init; }

    /// <summary>How appends become durable (one group committer per log directory).</summary>
    public CommitPolicy CommitPolicy { get; init; } = CommitPolicy.Immediate;

    /// <summary>
    /// num.flush.threads.per.data.dir: partitions of one directory fsynced at the same time. Concurrent
    /// fsyncs of different files share the file system's journal commits, so several flushers serve
    /// many partitions with acks=all far faster than one syncing them in turn.
    /// </summary>
    public int FlushThreadsPerDataDir { get; init; } = DefaultFlushThreadsPerDataDir;

    /// <summary>
    /// Each directory keeps a commit journal (<see cref="Journal.CommitJournal"/>): appends are copied
    /// there, <see cref="CommitPolicy"/> applies to the journal, durability waits wait for its fsync, and
    /// the partitions' own files are fsynced by its checkpoints. Off: each partition is fsynced on its own.
    /// A journal left by an earlier run is replayed at open either way.
    /// </summary>
    public bool CommitJournal { get; init; }

    /// <summary>Bytes per commit-journal file (see <see cref="Journal.CommitJournalOptions.FileSizeBytes"/>).</summary>
    public int JournalFileSizeBytes { get; init; } = Journal.CommitJournalOptions.DefaultFileSizeBytes;

    /// <summary>
    /// With the commit journal: how much of each partition's newest data its writeback tick leaves in the
    /// page cache; older pages of the active segment are dropped from it once written. 0 (the default)
    /// keeps everything, as Kafka does. See <see cref="PartitionLog"/>'s writeback for why.
    /// </summary>
    public long PageCacheTailBytes { get; init; }

    /// <summary>
    /// log.direct.write.buffer.bytes: when above 0, each partition keeps a buffer of this size in memory
    /// and writes its active segment from there with direct I/O, bypassing the page cache (see
    /// <see cref="Segments.SegmentWriteBuffer"/>). 0 (the default) writes through the page cache, as Kafka does.
    /// </summary>
    public int DirectWriteBufferBytes { get; init; }

    /// <summary>The default of <see cref="FlushThreadsPerDataDir"/>.</summary>
    public const int DefaultFlushThreadsPerDataDir = 8;

    /// <summary>
    /// log.preallocate.step.bytes: how far ahead of the appends a partition synced in small steps
    /// keeps its active segment zero-filled and fsynced, so each acks=all sync writes only data (no
    /// block allocation or file-size update); 0 turns it off.
    /// </summary>
    public int PreallocateStepBytes { get; init; } = DefaultPreallocateStepBytes;

    /// <summary>
    /// The default of <see cref="PreallocateStepBytes"/>: 256 KiB. Preparing a step pauses the partition's
    /// next flush for about one step's write and sync; a quarter MiB keeps that pause well under a
    /// millisecond here, while a 1 MiB step gave the same throughput with three times the p99.
    /// </summary>
    public const int DefaultPreallocateStepBytes = 256 * 1024;

    /// <summary>Told the duration of every fsync of every directory's group committer (metrics); null for none.</summary>
    public IFlushObserver? FlushObserver { get; init; }

    /// <summary>num.recovery.threads.per.data.dir: partitions opened (and recovered) in parallel per directory.</summary>
    public int RecoveryThreadsPerDataDir { get; init; } = 2;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
