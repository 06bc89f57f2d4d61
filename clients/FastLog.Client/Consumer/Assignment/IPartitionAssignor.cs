namespace FastLog.Client.Consumer.Assignment;

/// <summary>
/// A client-side assignor: the group leader runs it over every member's subscription and sends each member its
/// share in SyncGroup. Implementations are deterministic (same input, same output) and stateless.
/// </summary>
internal interface IPartitionAssignor
{
    /// <summary>The protocol name offered in JoinGroup (<c>range</c>, <c>roundrobin</c>, <c>cooperative-sticky</c>).</summary>
    string Name { get; }

    /// <summary>True when the assignor supports incremental cooperative rebalancing (KIP-429).</summary>
    bool SupportsCooperative { get; }

    /// <summary>
    /// Assigns the partitions of the subscribed topics. Every member gets an entry (possibly empty). Topics absent
    /// from <paramref name="partitionsPerTopic"/> do not exist and are skipped.
    /// </summary>
    /// <param name="partitionsPerTopic">Partition count of each existing topic.</param>
    /// <param name="members">The group's members.</param>
    /// <param name="cooperative">
    /// True when the group rebalances cooperatively: a partition moving between members is left out this round
    /// (its owner revokes it, and the follow-up rebalance assigns it).
    /// </param>
    Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic,
        IReadOnlyList<AssignorMember> members,
        bool cooperative);
}
