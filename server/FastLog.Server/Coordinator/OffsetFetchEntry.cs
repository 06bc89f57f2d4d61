using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>One partition of an OffsetFetch answer; offset -1 means nothing committed.</summary>
internal sealed record OffsetFetchEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string Metadata, ErrorCode Error);
