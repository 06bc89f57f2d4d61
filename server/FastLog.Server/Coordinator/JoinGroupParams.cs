namespace FastLog.Server.Coordinator;

/// <summary>A JoinGroup request as the coordinator needs it. v0 has no rebalance timeout: the handler passes the session timeout.</summary>
internal sealed record JoinGroupParams(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    int SessionTimeoutMs,
    int RebalanceTimeoutMs,
    string ProtocolType,
    IReadOnlyList<GroupProtocol> Protocols,
    short ApiVersion)
{
    /// <summary>KIP-394: v4+ joins without a member id first get MEMBER_ID_REQUIRED (older clients don't know the code).</summary>
    public bool RequireKnownMemberId => ApiVersion >= 4;

    /// <summary>KIP-814: v9 lets a rejoining static leader keep its assignment (SkipAssignment).</summary>
    public bool SupportsSkipAssignment => ApiVersion >= 9;
}
