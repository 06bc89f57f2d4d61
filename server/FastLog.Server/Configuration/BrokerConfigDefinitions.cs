using System.Globalization;
using FastLog.Engine.Journal;
using FastLog.Engine.Log;

namespace FastLog.Server.Configuration;

/// <summary>
/// The broker settings FastLog understands, with Kafka's names and defaults (FastLog's own defaults
/// where it differs on purpose, e.g. a single node on localhost with data under ./data). Anything
/// not listed here is refused at start-up, so a typo never silently falls back to a default.
/// </summary>
public static class BrokerConfigDefinitions
{
    private const long Day = 24L * 60 * 60 * 1000;

    public static IReadOnlyList<ConfigDefinition> All { get; } =
    [
        new("node.id", ConfigType.Int, "1", "This node's id in the cluster.") { Min = 0 },
        new("process.roles", ConfigType.List, "broker,controller", "Roles of this process; a single node runs both (combined mode).") { ValidValues = ["broker", "controller"] },
        new("controller.quorum.voters", ConfigType.List, "", "id@host:port of the controller voters; empty means this node alone."),
        new("cluster.id", ConfigType.String, null, "The cluster id; generated and stored in meta.properties when absent."),
        new("listeners", ConfigType.List, "PLAINTEXT://localhost:9092", "Where the broker listens: NAME://host:port, comma-separated. Port 0 picks a free port."),
        new("advertised.listeners", ConfigType.List, null, "The addresses given to clients in Metadata; defaults to listeners."),
        new("log.dirs", ConfigType.List, "./data", "Directories that hold partition data."),
        new("log.dir", ConfigType.String, null, "A single data directory, used when log.dirs is not set."),
        new("num.partitions", ConfigType.Int, "1", "Partitions of an auto-created topic, and of CreateTopics with -1.") { Min = 1 },
        new("default.replication.factor", ConfigType.Short, "1", "Replication factor of auto-created topics.") { Min = 1 },
        new("auto.create.topics.enable", ConfigType.Boolean, "true", "Create a topic on first Metadata or Produce request for it."),
        new("delete.topic.enable", ConfigType.Boolean, "true", "Whether DeleteTopics is allowed."),
        new("min.insync.replicas", ConfigType.Int, "1", "Replicas that must hold a write before acks=all is answered.") { Min = 1 },
        new("log.segment.bytes", ConfigType.Int, "1073741824", "Default segment.bytes.") { Min = 14 + 61 },
        new("log.roll.ms", ConfigType.Long, null, "Default segment.ms; overrides log.roll.hours.") { Min = 1 },
        new("log.roll.hours", ConfigType.Int, "168", "Default segment.ms in hours.") { Min = 1 },
        new("log.retention.ms", ConfigType.Long, null, "Default retention.ms; overrides log.retention.minutes and hours. -1 keeps forever.") { Min = -1 },
        new("log.retention.minutes", ConfigType.Int, null, "Default retention.ms in minutes.") { Min = -1 },
        new("log.retention.hours", ConfigType.Int, "168", "Default retention.ms in hours.") { Min = -1 },
        new("log.retention.bytes", ConfigType.Long, "-1", "Default retention.bytes. -1 means no size limit.") { Min = -1 },
        new("log.retention.check.interval.ms", ConfigType.Long, "300000", "How often retention runs.") { Min = 1 },
        new("log.index.size.max.bytes", ConfigType.Int, "10485760", "Default segment.index.bytes.") { Min = 32 },
        new("log.index.interval.bytes", ConfigType.Int, "4096", "Default index.interval.bytes.") { Min = 0 },
        new("log.segment.delete.delay.ms", ConfigType.Long, "60000", "Default file.delete.delay.ms.") { Min = 0 },
        new("log.flush.interval.messages", ConfigType.Long, null, "Also fsync a partition after this many messages (acks=0/1 data too); acks=all is still fsynced before its answer. Unset: fsync only for acks=all (FastLog's durable default).") { Min = 1 },
        new("log.flush.interval.ms", ConfigType.Long, null, "Fsync dirty partitions this often, and answer acks=all at the next such fsync instead of at once. Unset: fsync only for acks=all.") { Min = 1 },
        new("log.cleanup.policy", ConfigType.List, "delete", "Default cleanup.policy.") { ValidValues = ["delete", "compact"] },
        new("log.message.timestamp.type", ConfigType.String, "CreateTime", "Default message.timestamp.type.") { ValidValues = ["CreateTime", "LogAppendTime"] },
        new("message.max.bytes", ConfigType.Int, "1048588", "Default max.message.bytes: the largest record batch accepted.") { Min = 61 },
        new("num.recovery.threads.per.data.dir", ConfigType.Int, "2", "Partitions opened in parallel per data directory at start-up.") { Min = 1 },
        new("num.flush.threads.per.data.dir", ConfigType.Int, LogManagerOptions.DefaultFlushThreadsPerDataDir.ToString(CultureInfo.InvariantCulture), "FastLog: partitions of one data directory fsynced at the same time (concurrent fsyncs share journal commits).") { Min = 1, Max = 256 },
        new("log.preallocate.step.bytes", ConfigType.Int, LogManagerOptions.DefaultPreallocateStepBytes.ToString(CultureInfo.InvariantCulture), "FastLog: zero-filled, fsynced bytes kept ahead of the appends of a partition synced in small steps, so acks=all syncs write only data; 0 turns it off.") { Min = 0, Max = 1024 * 1024 * 1024 },
        new("log.commit.journal.enable", ConfigType.Boolean, "false", "FastLog: keep a commit journal per data directory. Every append is copied to it and one fsync of it makes a group of appends to many partitions durable (acks=all, and the log.flush.interval.* policy, then apply to it); partitions are fsynced by its checkpoints. A journal left by a crash is replayed at start-up even when this is off."),
        new("log.commit.journal.file.bytes", ConfigType.Int, CommitJournalOptions.DefaultFileSizeBytes.ToString(CultureInfo.InvariantCulture), "FastLog: size of each commit-journal file; a full file moves the journal to the next one and checkpoints (fsyncs every partition of the directory). A batch larger than this is fsynced in its partition instead.") { Min = 64 * 1024, Max = 1024 * 1024 * 1024 },
        new("log.direct.write.buffer.bytes", ConfigType.Int, "0", "FastLog: when above 0, each partition keeps a buffer of this many bytes in memory (at least 64 KiB, allocated at open) and writes its active segment from it with direct I/O, bypassing the OS page cache; consumers within that distance of the end read from the buffer, others from the disk. Meant for the commit journal, whose writeback tick writes the buffer out. 0 writes through the page cache, as Kafka does.") { Min = 0, Max = 1024 * 1024 * 1024 },
        new("log.page.cache.tail.bytes", ConfigType.Long, "0", "FastLog, with the commit journal: how much of each partition's newest data stays in the OS page cache once written; older pages of the active segment are dropped from it as the journal's writeback passes them, so appends reuse pages instead of claiming new ones (on a virtual machine that returns free memory to its host, each new page costs a host fault). Consumers further behind read the disk. 0 keeps everything, as Kafka does.") { Min = 0 },
        new("socket.request.max.bytes", ConfigType.Int, "104857600", "The largest request frame.") { Min = 1024 },
        new("max.connections", ConfigType.Int, "10000", "Connections accepted at most.") { Min = 1 },
        new("connections.max.idle.ms", ConfigType.Long, "600000", "Idle connections are closed after this long.") { Min = 1 },
        new("queued.max.requests", ConfigType.Int, "128", "Requests in flight per connection before the broker stops reading it.") { Min = 1 },
        new("offsets.topic.num.partitions", ConfigType.Int, "50", "Partitions of __consumer_offsets.") { Min = 1 },
        new("offsets.retention.minutes", ConfigType.Int, "10080", "Committed offsets of empty groups expire after this long.") { Min = 1 },
        new("group.initial.rebalance.delay.ms", ConfigType.Int, "3000", "How long a new group waits for more members before its first rebalance.") { Min = 0 },
        new("group.min.session.timeout.ms", ConfigType.Int, "6000", "Smallest session timeout a member may ask for.") { Min = 1 },
        new("group.max.session.timeout.ms", ConfigType.Int, "1800000", "Largest session timeout a member may ask for.") { Min = 1 },
        new("log.cleaner.enable", ConfigType.Boolean, "true", "Run the log cleaner for compacted topics."),
        new("log.cleaner.backoff.ms", ConfigType.Long, "15000", "Pause between log cleaner passes.") { Min = 1 },
        new("log.cleaner.min.cleanable.ratio", ConfigType.Double, "0.5", "Default min.cleanable.dirty.ratio.") { Min = 0, Max = 1 },
        new("log.cleaner.delete.retention.ms", ConfigType.Long, "86400000", "Default delete.retention.ms.") { Min = 0 },
        new("metrics.listener", ConfigType.String, "127.0.0.1:9644", "host:port of the HTTP endpoint serving /metrics (Prometheus text format) and /health; empty disables it. Port 0 picks a free port."),
        new("transactional.id.expiration.ms", ConfigType.Int, "604800000", "Idle producer state expires after this long.") { Min = 1 },
    ];

    private static readonly Dictionary<string, ConfigDefinition> ByName = All.ToDictionary(d => d.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out ConfigDefinition definition) => ByName.TryGetValue(name, out definition!);

    /// <summary>Seven days, Kafka's default retention and roll time.</summary>
    public static long DefaultRetentionMs => 7 * Day;
}
