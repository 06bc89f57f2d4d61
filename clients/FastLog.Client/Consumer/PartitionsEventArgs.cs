namespace FastLog.Client.Consumer;

/// <summary>The partitions a rebalance assigned, revoked or lost.</summary>
public sealed class PartitionsEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public PartitionsEventArgs(IReadOnlyList<TopicPartition> partitions)
    {
        Partitions = partitions;
    }

    /// <summary>The partitions, sorted.</summary>
    public IReadOnlyList<TopicPartition> Partitions { get; }
}
