using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>What DescribeGroups reports about a group (state Dead for an unknown group, as Kafka answers).</summary>
internal sealed record GroupDescription(ErrorCode Error, string GroupId, GroupState State, string ProtocolType, string ProtocolName, IReadOnlyList<MemberDescription> Members);
