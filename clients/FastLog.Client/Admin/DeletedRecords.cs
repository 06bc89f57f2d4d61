namespace FastLog.Client.Admin;

/// <summary>The outcome of DeleteRecords for one partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="LowWatermark">The partition's earliest offset afterwards.</param>
public sealed record DeletedRecords(TopicAndPartition Partition, long LowWatermark);
