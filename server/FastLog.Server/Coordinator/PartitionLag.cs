namespace FastLog.Server.Coordinator;

/// <summary>A group's committed offset against the partition's end (high watermark); -1 end when the partition is unknown here.</summary>
internal sealed record PartitionLag(string Topic, int Partition, long CommittedOffset, long LogEndOffset)
{
    public long Lag => LogEndOffset < 0 ? -1 : Math.Max(0, LogEndOffset - CommittedOffset);
}
