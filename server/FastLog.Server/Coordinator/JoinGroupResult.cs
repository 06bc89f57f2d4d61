using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>The coordinator's JoinGroup answer; <see cref="Members"/> is filled for the leader only.</summary>
internal sealed record JoinGroupResult(ErrorCode Error, int GenerationId, string? ProtocolType, string? ProtocolName, string LeaderId, string MemberId, IReadOnlyList<JoinedMember> Members, bool SkipAssignment = false)
{
    public static JoinGroupResult Failed(ErrorCode error, string memberId = "") => new(error, -1, null, null, string.Empty, memberId, []);
}
