namespace FastLog.Server.Coordinator;

/// <summary>A member inside a group metadata record; Subscription is its metadata for the chosen protocol.</summary>
internal sealed record StoredMember(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, int SessionTimeoutMs, int RebalanceTimeoutMs, byte[] Subscription, byte[] Assignment);
