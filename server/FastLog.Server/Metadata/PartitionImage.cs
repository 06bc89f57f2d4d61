namespace FastLog.Server.Metadata;

/// <summary>One partition in the metadata image: replicas, in-sync replicas and leadership.</summary>
public sealed record PartitionImage(int PartitionId, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, int Leader, int LeaderEpoch, int PartitionEpoch);
