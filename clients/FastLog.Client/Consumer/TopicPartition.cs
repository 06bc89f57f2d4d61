namespace FastLog.Client.Consumer;

/// <summary>A partition of a topic: the unit of assignment, fetching and offset commits.</summary>
/// <param name="Topic">Topic name.</param>
/// <param name="Partition">Partition index.</param>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    /// <summary>Orders by topic name (ordinal), then partition index — the order assignors use.</summary>
    public int CompareTo(TopicPartition other)
    {
        int byTopic = string.CompareOrdinal(Topic, other.Topic);
        return byTopic != 0 ? byTopic : Partition.CompareTo(other.Partition);
    }

    /// <summary>Less-than by <see cref="CompareTo"/>.</summary>
    public static bool operator <(TopicPartition left, TopicPartition right) => left.CompareTo(right) < 0;

    /// <summary>Greater-than by <see cref="CompareTo"/>.</summary>
    public static bool operator >(TopicPartition left, TopicPartition right) => left.CompareTo(right) > 0;

    /// <summary>Less-or-equal by <see cref="CompareTo"/>.</summary>
    public static bool operator <=(TopicPartition left, TopicPartition right) => left.CompareTo(right) <= 0;

    /// <summary>Greater-or-equal by <see cref="CompareTo"/>.</summary>
    public static bool operator >=(TopicPartition left, TopicPartition right) => left.CompareTo(right) >= 0;

    /// <summary><c>topic-partition</c>, as Kafka's tools print it.</summary>
    public override string ToString() => $"{Topic}-{Partition}";
}
