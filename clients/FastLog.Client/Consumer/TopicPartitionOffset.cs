namespace FastLog.Client.Consumer;

/// <summary>
/// An offset of a partition: a position to commit or seek to, or a committed offset read back. By Kafka's
/// convention a committed offset is the offset of the <i>next</i> record to read (last processed + 1).
/// </summary>
/// <param name="TopicPartition">The partition.</param>
/// <param name="Offset">The offset; negative values are the special offsets of <see cref="Consumer.Offset"/>.</param>
public readonly record struct TopicPartitionOffset(TopicPartition TopicPartition, long Offset)
{
    /// <summary>Creates an offset for <paramref name="topic"/>-<paramref name="partition"/>.</summary>
    public TopicPartitionOffset(string topic, int partition, long offset)
        : this(new TopicPartition(topic, partition), offset)
    {
    }

    /// <summary>Topic name.</summary>
    public string Topic => TopicPartition.Topic;

    /// <summary>Partition index.</summary>
    public int Partition => TopicPartition.Partition;

    /// <summary>Leader epoch of the record before <see cref="Offset"/>, or -1 when unknown (sent with commits, KIP-320).</summary>
    public int LeaderEpoch { get; init; } = -1;

    /// <summary>Optional application metadata stored with a commit.</summary>
    public string? Metadata { get; init; }

    /// <summary><c>topic-partition@offset</c>.</summary>
    public override string ToString() => $"{TopicPartition}@{Offset}";
}
