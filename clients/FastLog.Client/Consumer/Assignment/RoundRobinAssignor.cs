namespace FastLog.Client.Consumer.Assignment;

/// <summary>
/// Kafka's <c>roundrobin</c> assignor: every partition of every subscribed topic, sorted by topic then partition,
/// is dealt to the members in turn (in <see cref="AssignorMember.Compare"/> order), skipping members not subscribed
/// to the partition's topic — as Java's <c>RoundRobinAssignor</c> does.
/// </summary>
internal sealed class RoundRobinAssignor : IPartitionAssignor
{
    public static readonly RoundRobinAssignor Instance = new();

    public string Name => "roundrobin";

    public bool SupportsCooperative => false;

    public Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic,
        IReadOnlyList<AssignorMember> members,
        bool cooperative)
    {
        var result = PartitionAssignors.EmptyResult(members);
        if (members.Count == 0)
        {
            return result;
        }

        var sorted = members.ToList();
        sorted.Sort(AssignorMember.Compare);
        var topicsOf = sorted.ToDictionary(m => m.MemberId, m => PartitionAssignors.ExistingTopics(partitionsPerTopic, m), StringComparer.Ordinal);
        var allTopics = new SortedSet<string>(topicsOf.Values.SelectMany(t => t), StringComparer.Ordinal);
        int next = 0;
        foreach (string topic in allTopics)
        {
            for (int p = 0; p < partitionsPerTopic[topic]; p++)
            {
                // Some member subscribes to this topic, so the scan ends within one lap.
                while (!topicsOf[sorted[next].MemberId].Contains(topic))
                {
                    next = (next + 1) % sorted.Count;
                }

                result[sorted[next].MemberId].Add(new TopicPartition(topic, p));
                next = (next + 1) % sorted.Count;
            }
        }

        return result;
    }
}
