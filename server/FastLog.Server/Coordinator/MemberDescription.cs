namespace FastLog.Server.Coordinator;

/// <summary>One member in a DescribeGroups answer: metadata for the chosen protocol and the current assignment.</summary>
internal sealed record MemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);
