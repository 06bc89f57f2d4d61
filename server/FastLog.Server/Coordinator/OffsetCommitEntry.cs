namespace FastLog.Server.Coordinator;

/// <summary>One partition of an OffsetCommit request.</summary>
internal sealed record OffsetCommitEntry(string Topic, int Partition, long Offset, int LeaderEpoch, string? Metadata);
