namespace FastLog.Client.Admin;

/// <summary>Raise a topic's partition count to <paramref name="TotalCount"/> (partitions are never removed).</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="TotalCount">The partition count afterwards; must be larger than the current one.</param>
public sealed record NewPartitions(string Topic, int TotalCount);
