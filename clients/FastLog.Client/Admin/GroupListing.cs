namespace FastLog.Client.Admin;

/// <summary>A group as ListGroups reports it.</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="ProtocolType"><c>consumer</c> for consumer groups; empty for groups that only commit offsets.</param>
/// <param name="State">The group's state (<see cref="GroupState.Unknown"/> from brokers older than ListGroups v4).</param>
/// <param name="CoordinatorId">Node id of the broker that coordinates it.</param>
public sealed record GroupListing(string GroupId, string ProtocolType, GroupState State, int CoordinatorId);
