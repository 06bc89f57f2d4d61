namespace FastLog.Client.Admin;

/// <summary>A group as DescribeGroups reports it.</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="State">The group's state.</param>
/// <param name="ProtocolType"><c>consumer</c> for consumer groups.</param>
/// <param name="Protocol">The chosen assignor (<c>range</c>, <c>roundrobin</c>, ...); empty unless the group is stable.</param>
/// <param name="Members">Members, each with its assignment.</param>
/// <param name="CoordinatorId">Node id of the broker that coordinates the group.</param>
public sealed record GroupDescription(
    string GroupId,
    GroupState State,
    string ProtocolType,
    string Protocol,
    IReadOnlyList<GroupMemberDescription> Members,
    int CoordinatorId);
