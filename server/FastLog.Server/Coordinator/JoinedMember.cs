namespace FastLog.Server.Coordinator;

/// <summary>A member as the leader sees it in the JoinGroup answer: its metadata for the chosen protocol.</summary>
internal sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);
