namespace FastLog.Client.Admin;

/// <summary>What ListOffsets found for one partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset, or -1 when no record matches a timestamp lookup.</param>
/// <param name="Timestamp">The record's timestamp for timestamp lookups; -1 for earliest and latest.</param>
/// <param name="LeaderEpoch">The leader epoch, or -1 when the broker did not say.</param>
public sealed record ListedOffset(TopicAndPartition Partition, long Offset, long Timestamp, int LeaderEpoch);
