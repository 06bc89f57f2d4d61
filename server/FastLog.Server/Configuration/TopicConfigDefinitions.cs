using System.Globalization;
using FastLog.Engine.Log;

namespace FastLog.Server.Configuration;

/// <summary>
/// Topic-level settings (CreateTopics configs, AlterConfigs, DescribeConfigs), each with the broker
/// setting that supplies its default (Kafka's "synonym"). A topic stores only its overrides; the
/// value in force is the override, else the broker's setting, else the built-in default.
/// </summary>
public static class TopicConfigDefinitions
{
    public static IReadOnlyList<(ConfigDefinition Definition, string? BrokerSynonym)> All { get; } =
    [
        (new("cleanup.policy", ConfigType.List, "delete", "delete and/or compact old segments.") { ValidValues = ["delete", "compact"] }, "log.cleanup.policy"),
        (new("retention.ms", ConfigType.Long, "604800000", "Delete closed segments older than this; -1 keeps forever.") { Min = -1 }, null),
        (new("retention.bytes", ConfigType.Long, "-1", "Delete the oldest segments while a partition is larger than this; -1 means no limit.") { Min = -1 }, "log.retention.bytes"),
        (new("segment.bytes", ConfigType.Int, "1073741824", "Segment file size.") { Min = 14 + 61 }, "log.segment.bytes"),
        (new("segment.ms", ConfigType.Long, "604800000", "Roll a segment older than this.") { Min = 1 }, null),
        (new("segment.index.bytes", ConfigType.Int, "10485760", "Size of each segment's offset index.") { Min = 32 }, "log.index.size.max.bytes"),
        (new("index.interval.bytes", ConfigType.Int, "4096", "Bytes between offset index entries.") { Min = 0 }, "log.index.interval.bytes"),
        (new("max.message.bytes", ConfigType.Int, "1048588", "The largest record batch accepted.") { Min = 61 }, "message.max.bytes"),
        (new("file.delete.delay.ms", ConfigType.Long, "60000", "How long a deleted segment's files stay for in-flight readers.") { Min = 0 }, "log.segment.delete.delay.ms"),
        (new("min.insync.replicas", ConfigType.Int, "1", "Replicas that must hold a write before acks=all is answered.") { Min = 1 }, "min.insync.replicas"),
        (new("message.timestamp.type", ConfigType.String, "CreateTime", "CreateTime or LogAppendTime.") { ValidValues = ["CreateTime", "LogAppendTime"] }, "log.message.timestamp.type"),
        (new("delete.retention.ms", ConfigType.Long, "86400000", "How long tombstones stay in a compacted topic.") { Min = 0 }, "log.cleaner.delete.retention.ms"),
        (new("min.cleanable.dirty.ratio", ConfigType.Double, "0.5", "Dirty share of a log that makes it eligible for cleaning.") { Min = 0, Max = 1 }, "log.cleaner.min.cleanable.ratio"),
        (new("flush.messages", ConfigType.Long, "9223372036854775807", "Fsync after this many messages (acks=all always fsyncs).") { Min = 1 }, "log.flush.interval.messages"),
        (new("flush.ms", ConfigType.Long, "9223372036854775807", "Fsync at least this often (acks=all always fsyncs).") { Min = 0 }, "log.flush.interval.ms"),
        (new("compression.type", ConfigType.String, "producer", "Stored compression; FastLog keeps what the producer sent.") { ValidValues = ["producer"] }, null),
    ];

    private static readonly Dictionary<string, (ConfigDefinition Definition, string? BrokerSynonym)> ByName =
        All.ToDictionary(d => d.Definition.Name, StringComparer.Ordinal);

    public static bool TryGet(string name, out ConfigDefinition definition)
    {
        bool found = ByName.TryGetValue(name, out var entry);
        definition = entry.Definition;
        return found;
    }

    /// <summary>Null when the topic setting is known and its value valid, else the reason (for INVALID_CONFIG answers).</summary>
    public static string? Validate(string name, string? value)
    {
        if (!ByName.TryGetValue(name, out var entry))
        {
            return $"unknown topic config '{name}'";
        }

        return value is null ? null : entry.Definition.Validate(value) is { } problem ? $"invalid value '{value}' for {name}: {problem}" : null;
    }

    /// <summary>The value in force for a topic and where it comes from.</summary>
    public static (string? Value, ConfigSource Source) Resolve(string name, IReadOnlyDictionary<string, string> topicOverrides, BrokerConfig broker)
    {
        var entry = ByName[name];
        if (topicOverrides.TryGetValue(name, out string? value))
        {
            return (value, ConfigSource.TopicOverride);
        }

        // Two topic settings derive from several broker settings (ms, minutes, hours).
        switch (name)
        {
            case "retention.ms":
                bool retentionSet = broker.ExplicitValues.Keys.Any(k => k.StartsWith("log.retention.", StringComparison.Ordinal) && k != "log.retention.bytes" && k != "log.retention.check.interval.ms");
                return (broker.DefaultLogConfig.RetentionMs.ToString(CultureInfo.InvariantCulture), retentionSet ? ConfigSource.BrokerOverride : ConfigSource.Default);
            case "segment.ms":
                bool rollSet = broker.ExplicitValues.ContainsKey("log.roll.ms") || broker.ExplicitValues.ContainsKey("log.roll.hours");
                return (broker.DefaultLogConfig.SegmentMs.ToString(CultureInfo.InvariantCulture), rollSet ? ConfigSource.BrokerOverride : ConfigSource.Default);
        }

        if (entry.BrokerSynonym is not null && broker.ExplicitValues.TryGetValue(entry.BrokerSynonym, out string? brokerValue))
        {
            return (brokerValue, ConfigSource.BrokerOverride);
        }

        return (entry.Definition.DefaultValue, ConfigSource.Default);
    }

    /// <summary>The partition log settings for a topic with these overrides.</summary>
    public static LogConfig ToLogConfig(IReadOnlyDictionary<string, string> topicOverrides, BrokerConfig broker)
    {
        long Long(string name) => long.Parse(Resolve(name, topicOverrides, broker).Value!, CultureInfo.InvariantCulture);
        int Int(string name) => int.Parse(Resolve(name, topicOverrides, broker).Value!, CultureInfo.InvariantCulture);
        var policies = Resolve("cleanup.policy", topicOverrides, broker).Value!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        bool compact = policies.Contains("compact", StringComparer.OrdinalIgnoreCase);
        bool delete = policies.Contains("delete", StringComparer.OrdinalIgnoreCase) || !compact;

        return broker.DefaultLogConfig with
        {
            SegmentBytes = Int("segment.bytes"),
            SegmentMs = Long("segment.ms"),
            SegmentIndexBytes = Int("segment.index.bytes"),
            IndexIntervalBytes = Int("index.interval.bytes"),
            MaxMessageBytes = Int("max.message.bytes"),
            RetentionMs = Long("retention.ms"),
            RetentionBytes = Long("retention.bytes"),
            FileDeleteDelayMs = Long("file.delete.delay.ms"),
            CleanupPolicy = compact && delete ? CleanupPolicy.CompactAndDelete : compact ? CleanupPolicy.Compact : CleanupPolicy.Delete,
            DeleteRetentionMs = Long("delete.retention.ms"),
            MinCleanableDirtyRatio = double.Parse(Resolve("min.cleanable.dirty.ratio", topicOverrides, broker).Value!, CultureInfo.InvariantCulture),
        };
    }
}
