using FastLog.Server.Configuration;

namespace FastLog.Server.Coordinator;

/// <summary>The broker settings the group coordinator follows (Kafka's names and defaults).</summary>
internal sealed record GroupCoordinatorConfig
{
    public int InitialRebalanceDelayMs { get; init; } = 3000;

    public int MinSessionTimeoutMs { get; init; } = 6000;

    public int MaxSessionTimeoutMs { get; init; } = 1800000;

    public long OffsetsRetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>Kafka's offsets.retention.check.interval.ms default; not a FastLog setting yet.</summary>
    public long OffsetsRetentionCheckIntervalMs { get; init; } = 600000;

    /// <summary>Kafka's offset.metadata.max.bytes default.</summary>
    public int OffsetMetadataMaxBytes { get; init; } = 4096;

    public static GroupCoordinatorConfig From(BrokerConfig config) => new()
    {
        InitialRebalanceDelayMs = config.GetInt("group.initial.rebalance.delay.ms"),
        MinSessionTimeoutMs = config.GetInt("group.min.session.timeout.ms"),
        MaxSessionTimeoutMs = config.GetInt("group.max.session.timeout.ms"),
        OffsetsRetentionMs = config.GetInt("offsets.retention.minutes") * 60L * 1000,
    };
}
