namespace FastLog.Server.Coordinator;

/// <summary>What ListGroups reports about a group.</summary>
internal sealed record GroupOverview(string GroupId, string ProtocolType, GroupState State);
