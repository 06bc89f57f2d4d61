namespace FastLog.Server.Coordinator;

/// <summary>A group metadata record's value: the generation and its members with their assignments.</summary>
internal sealed record StoredGroup(string ProtocolType, int Generation, string? ProtocolName, string? LeaderId, long StateTimestampMs, IReadOnlyList<StoredMember> Members);
