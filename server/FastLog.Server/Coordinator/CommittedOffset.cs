namespace FastLog.Server.Coordinator;

/// <summary>
/// A committed offset as stored. <paramref name="Sequence"/> orders commits by their position in the
/// offsets log, so a commit whose fsync finishes late never overwrites a newer one in the cache.
/// </summary>
internal sealed record CommittedOffset(long Offset, int LeaderEpoch, string Metadata, long CommitTimestampMs, long Sequence);
