namespace FastLog.Client.Admin;

/// <summary>The cluster as DescribeCluster (or, from older brokers, Metadata) reports it.</summary>
/// <param name="ClusterId">The cluster id, if the broker reported one.</param>
/// <param name="ControllerId">Node id of the controller, or -1 when unknown.</param>
/// <param name="Brokers">Every broker, ordered by node id.</param>
public sealed record ClusterDescription(string? ClusterId, int ControllerId, IReadOnlyList<BrokerNode> Brokers)
{
    /// <summary>The controller broker, or null when unknown.</summary>
    public BrokerNode? Controller => Brokers.FirstOrDefault(b => b.NodeId == ControllerId);
}
