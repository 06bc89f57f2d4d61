namespace FastLog.Client.Admin;

/// <summary>A classic consumer group's state, as ListGroups and DescribeGroups report it.</summary>
public enum GroupState
{
    /// <summary>A state this client does not know.</summary>
    Unknown,

    /// <summary>No members; the group may still hold committed offsets.</summary>
    Empty,

    /// <summary>Members are (re)joining.</summary>
    PreparingRebalance,

    /// <summary>Waiting for the leader's assignment.</summary>
    CompletingRebalance,

    /// <summary>Members hold their assignments.</summary>
    Stable,

    /// <summary>The group does not exist (any more).</summary>
    Dead,
}
