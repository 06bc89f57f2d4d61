using FastLog.Protocol;

namespace FastLog.Client;

/// <summary>A broker of the cluster, as listed in a Metadata response.</summary>
/// <param name="NodeId">The broker id.</param>
/// <param name="Host">Host clients connect to.</param>
/// <param name="Port">Port clients connect to.</param>
/// <param name="Rack">Rack, if configured.</param>
public sealed record BrokerNode(int NodeId, string Host, int Port, string? Rack)
{
    /// <summary>The address to connect to.</summary>
    public BrokerAddress Address => new(Host, Port);
}

/// <summary>One partition of a topic.</summary>
/// <param name="Partition">Partition index.</param>
/// <param name="LeaderId">Node id of the leader, or -1 when there is none.</param>
/// <param name="LeaderEpoch">Leader epoch, or -1 when the broker did not say.</param>
/// <param name="Replicas">Node ids of all replicas.</param>
/// <param name="InSyncReplicas">Node ids of the in-sync replicas.</param>
/// <param name="OfflineReplicas">Node ids of offline replicas.</param>
/// <param name="Error">The partition-level error, <see cref="ErrorCode.None"/> normally.</param>
public sealed record PartitionMetadata(
    int Partition,
    int LeaderId,
    int LeaderEpoch,
    IReadOnlyList<int> Replicas,
    IReadOnlyList<int> InSyncReplicas,
    IReadOnlyList<int> OfflineReplicas,
    ErrorCode Error);

/// <summary>One topic and its partitions (ordered by partition index).</summary>
/// <param name="Name">Topic name.</param>
/// <param name="TopicId">Topic id, or <see cref="Guid.Empty"/> when the broker's Metadata version has none.</param>
/// <param name="IsInternal">True for internal topics such as <c>__consumer_offsets</c>.</param>
/// <param name="Partitions">Partitions by index.</param>
/// <param name="Error">
/// The topic-level error: <see cref="ErrorCode.None"/>, or e.g. <see cref="ErrorCode.UnknownTopicOrPartition"/>, or
/// <see cref="ErrorCode.LeaderNotAvailable"/> while a topic is being created.
/// </param>
public sealed record TopicMetadata(string Name, Guid TopicId, bool IsInternal, IReadOnlyList<PartitionMetadata> Partitions, ErrorCode Error);

/// <summary>An immutable snapshot of what the client knows about the cluster.</summary>
public sealed class ClusterMetadata
{
    /// <summary>Creates a snapshot.</summary>
    public ClusterMetadata(
        string? clusterId,
        int controllerId,
        IReadOnlyDictionary<int, BrokerNode> brokers,
        IReadOnlyDictionary<string, TopicMetadata> topics)
    {
        ClusterId = clusterId;
        ControllerId = controllerId;
        Brokers = brokers;
        Topics = topics;
    }

    /// <summary>The snapshot before any Metadata response: no brokers, no topics.</summary>
    public static ClusterMetadata Empty { get; } = new(null, -1, new Dictionary<int, BrokerNode>(), new Dictionary<string, TopicMetadata>());

    /// <summary>Cluster id, if the broker reported one.</summary>
    public string? ClusterId { get; }

    /// <summary>Node id of the controller, or -1.</summary>
    public int ControllerId { get; }

    /// <summary>Brokers by node id.</summary>
    public IReadOnlyDictionary<int, BrokerNode> Brokers { get; }

    /// <summary>Topics fetched so far, by name, including ones the broker answered with an error.</summary>
    public IReadOnlyDictionary<string, TopicMetadata> Topics { get; }

    /// <summary>The leader broker of a partition, or null when the topic, partition or leader is unknown.</summary>
    public BrokerNode? LeaderFor(string topic, int partition)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (!Topics.TryGetValue(topic, out TopicMetadata? metadata))
        {
            return null;
        }

        foreach (PartitionMetadata p in metadata.Partitions)
        {
            if (p.Partition == partition)
            {
                return p.LeaderId >= 0 && Brokers.TryGetValue(p.LeaderId, out BrokerNode? leader) ? leader : null;
            }
        }

        return null;
    }
}
