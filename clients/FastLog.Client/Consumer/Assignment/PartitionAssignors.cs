namespace FastLog.Client.Consumer.Assignment;

/// <summary>Maps <see cref="PartitionAssignmentStrategy"/> values and protocol names to assignors.</summary>
internal static class PartitionAssignors
{
    public static IPartitionAssignor For(PartitionAssignmentStrategy strategy) => strategy switch
    {
        PartitionAssignmentStrategy.Range => RangeAssignor.Instance,
        PartitionAssignmentStrategy.RoundRobin => RoundRobinAssignor.Instance,
        PartitionAssignmentStrategy.CooperativeSticky => CooperativeStickyAssignor.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown assignment strategy."),
    };

    /// <summary>Every member's subscribed topics that exist, sorted and distinct.</summary>
    public static SortedSet<string> ExistingTopics(IReadOnlyDictionary<string, int> partitionsPerTopic, AssignorMember member)
    {
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string topic in member.Subscription.Topics)
        {
            if (partitionsPerTopic.TryGetValue(topic, out int count) && count > 0)
            {
                topics.Add(topic);
            }
        }

        return topics;
    }

    /// <summary>An empty result with an entry per member.</summary>
    public static Dictionary<string, List<TopicPartition>> EmptyResult(IReadOnlyList<AssignorMember> members)
    {
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (AssignorMember member in members)
        {
            result[member.MemberId] = [];
        }

        return result;
    }
}
