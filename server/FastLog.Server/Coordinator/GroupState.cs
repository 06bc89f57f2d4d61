namespace FastLog.Server.Coordinator;

/// <summary>The classic group protocol's states, named as Kafka reports them in ListGroups/DescribeGroups.</summary>
internal enum GroupState
{
    /// <summary>No members; the group may still hold committed offsets.</summary>
    Empty,

    /// <summary>Waiting for every member to (re)send JoinGroup.</summary>
    PreparingRebalance,

    /// <summary>A generation is chosen; waiting for the leader's assignments in SyncGroup.</summary>
    CompletingRebalance,

    /// <summary>Members hold their assignments and heartbeat.</summary>
    Stable,

    /// <summary>Deleted (or expired); a new group object replaces it when the id is used again.</summary>
    Dead,
}
