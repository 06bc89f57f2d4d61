namespace FastLog.Client.Producer;

/// <summary>The partition queues of one topic, indexed by partition. Replaced (not mutated) when the topic grows.</summary>
internal sealed class TopicQueues
{
    public TopicQueues(string name, PartitionQueue[] partitions)
    {
        Name = name;
        Partitions = partitions;
    }

    public string Name { get; }

    public PartitionQueue[] Partitions { get; }

    public int PartitionCount => Partitions.Length;
}
