namespace FastLog.Client.Admin;

/// <summary>A topic to create.</summary>
/// <param name="Name">Topic name.</param>
/// <param name="NumPartitions">Partition count, or -1 for the broker's <c>num.partitions</c>.</param>
/// <param name="ReplicationFactor">Replicas per partition, or -1 for the broker's <c>default.replication.factor</c>.</param>
public sealed record NewTopic(string Name, int NumPartitions = -1, short ReplicationFactor = -1)
{
    /// <summary>Topic-level config overrides (<c>retention.ms</c>, <c>cleanup.policy</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> Configs { get; init; } = new Dictionary<string, string>();
}
