using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>LeaveGroup: a group-level error, else one error per member in request order.</summary>
internal sealed record LeaveGroupResult(ErrorCode Error, IReadOnlyList<ErrorCode> MemberErrors);
