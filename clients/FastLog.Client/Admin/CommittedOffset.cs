namespace FastLog.Client.Admin;

/// <summary>A group's committed offset for one partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The next offset the group will read, or -1 when nothing is committed.</param>
/// <param name="LeaderEpoch">The leader epoch stored with the commit, or -1.</param>
/// <param name="Metadata">The metadata string stored with the commit.</param>
public sealed record CommittedOffset(TopicAndPartition Partition, long Offset, int LeaderEpoch, string? Metadata);
