namespace FastLog.Client.Consumer.Assignment;

/// <summary>
/// Kafka's <c>range</c> assignor: for each topic, the members subscribed to it (in <see cref="AssignorMember.Compare"/>
/// order) get consecutive ranges of partitions; the first <c>partitions % members</c> get one extra. The same
/// arithmetic as Java's <c>RangeAssignor</c> and librdkafka's, so any of them may lead a mixed group.
/// </summary>
internal sealed class RangeAssignor : IPartitionAssignor
{
    public static readonly RangeAssignor Instance = new();

    public string Name => "range";

    public bool SupportsCooperative => false;

    public Dictionary<string, List<TopicPartition>> Assign(
        IReadOnlyDictionary<string, int> partitionsPerTopic,
        IReadOnlyList<AssignorMember> members,
        bool cooperative)
    {
        var result = PartitionAssignors.EmptyResult(members);
        var membersPerTopic = new SortedDictionary<string, List<AssignorMember>>(StringComparer.Ordinal);
        foreach (AssignorMember member in members)
        {
            foreach (string topic in PartitionAssignors.ExistingTopics(partitionsPerTopic, member))
            {
                if (!membersPerTopic.TryGetValue(topic, out List<AssignorMember>? list))
                {
                    membersPerTopic[topic] = list = [];
                }

                list.Add(member);
            }
        }

        foreach ((string topic, List<AssignorMember> subscribers) in membersPerTopic)
        {
            subscribers.Sort(AssignorMember.Compare);
            int partitions = partitionsPerTopic[topic];
            int perMember = partitions / subscribers.Count;
            int withExtra = partitions % subscribers.Count;
            for (int i = 0; i < subscribers.Count; i++)
            {
                int start = (perMember * i) + Math.Min(i, withExtra);
                int length = perMember + (i < withExtra ? 1 : 0);
                List<TopicPartition> assigned = result[subscribers[i].MemberId];
                for (int p = start; p < start + length; p++)
                {
                    assigned.Add(new TopicPartition(topic, p));
                }
            }
        }

        return result;
    }
}
