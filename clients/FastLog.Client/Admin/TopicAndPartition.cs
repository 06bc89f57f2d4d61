namespace FastLog.Client.Admin;

/// <summary>One partition of a topic, as admin operations name it.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition index.</param>
public readonly record struct TopicAndPartition(string Topic, int Partition)
{
    /// <summary><c>topic-partition</c>, the way Kafka tools print a partition.</summary>
    public override string ToString() => $"{Topic}-{Partition}";
}
