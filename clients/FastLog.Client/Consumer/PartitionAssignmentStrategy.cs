namespace FastLog.Client.Consumer;

/// <summary>
/// A client-side partition assignor for <c>partition.assignment.strategy</c>. The names on the wire are Kafka's, so
/// Java and librdkafka members of the same group agree on them.
/// </summary>
public enum PartitionAssignmentStrategy
{
    /// <summary><c>range</c>: per topic, consecutive partition ranges to members sorted by id.</summary>
    Range = 0,

    /// <summary><c>roundrobin</c>: all partitions of all topics dealt out in turn.</summary>
    RoundRobin = 1,

    /// <summary>
    /// <c>cooperative-sticky</c>: balanced, keeps partitions where they are, and rebalances incrementally (a moved
    /// partition is first revoked, then assigned in a second rebalance) so the other members keep consuming.
    /// </summary>
    CooperativeSticky = 2,
}
