namespace FastLog.Client.Consumer.Assignment;

/// <summary>
/// Kafka's <c>cooperative-sticky</c> assignor (KIP-429): a balanced assignment that moves as few partitions as
/// possible, computed from the partitions each member reports owning in its subscription.
/// </summary>
/// <remarks>
/// <para>Ownership claims are checked first: a claim on a partition that no longer exists or that the member no
/// longer subscribes to is dropped; when two members claim one partition the higher generation wins, and equal
/// generations void both claims (as Java and librdkafka do).</para>
/// <para>With identical subscriptions (the usual case) every member ends with <c>⌊P/M⌋</c> or <c>⌈P/M⌉</c>
/// partitions: owners keep what fits their quota, the rest is dealt to the members below quota. Otherwise owners
/// keep their valid partitions, free ones go to the eligible member with the fewest, and partitions then move from
/// fuller to emptier eligible members until no move improves balance.</para>
/// <para>In a cooperative rebalance a partition whose new member differs from its current owner is left out of
/// this round: the owner finds it missing from its assignment, revokes it (committing its offset) and rejoins, and
/// the follow-up rebalance assigns the now unowned partition. So no partition is ever consumed by two members at
/// once, and every partition that stays put keeps being consumed throughout.</para>
/// </remarks>
internal sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    public static readonly CooperativeStickyAssignor Instance = new();

    public string Name => "cooperative-sticky";

    public bool SupportsCooperative => true;

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
        var allPartitions = new SortedSet<TopicPartition>();
        foreach (string topic in topicsOf.Values.SelectMany(t => t).Distinct(StringComparer.Ordinal))
        {
            for (int p = 0; p < partitionsPerTopic[topic]; p++)
            {
                allPartitions.Add(new TopicPartition(topic, p));
            }
        }

        Dictionary<TopicPartition, string> owners = ResolveOwners(sorted, topicsOf, allPartitions);
        bool identical = topicsOf.Values.All(t => t.SetEquals(topicsOf[sorted[0].MemberId]));
        if (identical)
        {
            AssignBalanced(sorted, allPartitions, owners, result);
        }
        else
        {
            AssignGeneral(sorted, topicsOf, allPartitions, owners, result);
        }

        if (cooperative)
        {
            foreach ((string memberId, List<TopicPartition> assigned) in result)
            {
                assigned.RemoveAll(p => owners.TryGetValue(p, out string? owner) && owner != memberId);
            }
        }

        foreach (List<TopicPartition> assigned in result.Values)
        {
            assigned.Sort();
        }

        return result;
    }

    /// <summary>Valid ownership claims: partition → member, highest generation first, ties voided.</summary>
    private static Dictionary<TopicPartition, string> ResolveOwners(
        List<AssignorMember> members,
        Dictionary<string, SortedSet<string>> topicsOf,
        SortedSet<TopicPartition> allPartitions)
    {
        var claims = new Dictionary<TopicPartition, (string MemberId, int Generation, bool Conflict)>();
        foreach (AssignorMember member in members)
        {
            int generation = member.Subscription.Generation;
            foreach (TopicPartition partition in member.Subscription.OwnedPartitions)
            {
                if (!allPartitions.Contains(partition) || !topicsOf[member.MemberId].Contains(partition.Topic))
                {
                    continue;
                }

                if (!claims.TryGetValue(partition, out var existing) || generation > existing.Generation)
                {
                    claims[partition] = (member.MemberId, generation, false);
                }
                else if (generation == existing.Generation && existing.MemberId != member.MemberId)
                {
                    claims[partition] = existing with { Conflict = true };
                }
            }
        }

        var owners = new Dictionary<TopicPartition, string>();
        foreach ((TopicPartition partition, var claim) in claims)
        {
            if (!claim.Conflict)
            {
                owners[partition] = claim.MemberId;
            }
        }

        return owners;
    }

    private static List<TopicPartition> OwnedBy(string memberId, Dictionary<TopicPartition, string> owners) =>
        owners.Where(o => o.Value == memberId).Select(o => o.Key).Order().ToList();

    /// <summary>Identical subscriptions: quotas ⌊P/M⌋ and ⌈P/M⌉, owners keep what fits.</summary>
    private static void AssignBalanced(
        List<AssignorMember> members,
        SortedSet<TopicPartition> allPartitions,
        Dictionary<TopicPartition, string> owners,
        Dictionary<string, List<TopicPartition>> result)
    {
        int minQuota = allPartitions.Count / members.Count;
        int membersWithExtra = allPartitions.Count % members.Count;
        int extrasGiven = 0;
        var taken = new HashSet<TopicPartition>();

        // Members owning the most keep first, so the extra slots go where they avoid the most movement.
        var byOwned = members
            .Select(m => (Member: m, Owned: OwnedBy(m.MemberId, owners)))
            .OrderByDescending(x => x.Owned.Count)
            .ThenBy(x => x.Member, Comparer<AssignorMember>.Create(AssignorMember.Compare))
            .ToList();
        foreach ((AssignorMember member, List<TopicPartition> owned) in byOwned)
        {
            int keep = Math.Min(owned.Count, minQuota);
            if (owned.Count > minQuota && extrasGiven < membersWithExtra)
            {
                keep = minQuota + 1;
                extrasGiven++;
            }

            List<TopicPartition> assigned = result[member.MemberId];
            assigned.AddRange(owned.Take(keep));
            taken.UnionWith(owned.Take(keep));
        }

        var free = new Queue<TopicPartition>(allPartitions.Where(p => !taken.Contains(p)));
        foreach (AssignorMember member in members.OrderBy(m => result[m.MemberId].Count).ThenBy(m => m, Comparer<AssignorMember>.Create(AssignorMember.Compare)))
        {
            List<TopicPartition> assigned = result[member.MemberId];
            while (assigned.Count < minQuota && free.Count > 0)
            {
                assigned.Add(free.Dequeue());
            }
        }

        foreach (AssignorMember member in members)
        {
            List<TopicPartition> assigned = result[member.MemberId];
            if (free.Count > 0 && assigned.Count == minQuota && extrasGiven < membersWithExtra)
            {
                assigned.Add(free.Dequeue());
                extrasGiven++;
            }
        }
    }

    /// <summary>Different subscriptions: keep valid ownership, deal free partitions, then even out.</summary>
    private static void AssignGeneral(
        List<AssignorMember> members,
        Dictionary<string, SortedSet<string>> topicsOf,
        SortedSet<TopicPartition> allPartitions,
        Dictionary<TopicPartition, string> owners,
        Dictionary<string, List<TopicPartition>> result)
    {
        foreach ((TopicPartition partition, string owner) in owners)
        {
            result[owner].Add(partition);
        }

        List<AssignorMember> EligibleFor(TopicPartition p) => members.Where(m => topicsOf[m.MemberId].Contains(p.Topic)).ToList();

        // Partitions with the fewest possible consumers first: they have the least freedom.
        var free = allPartitions
            .Where(p => !owners.ContainsKey(p))
            .Select(p => (Partition: p, Eligible: EligibleFor(p)))
            .OrderBy(x => x.Eligible.Count)
            .ThenBy(x => x.Partition)
            .ToList();
        foreach ((TopicPartition partition, List<AssignorMember> eligible) in free)
        {
            AssignorMember target = eligible.MinBy(m => result[m.MemberId].Count)!;
            result[target.MemberId].Add(partition);
        }

        // Move single partitions from a fuller to a strictly emptier eligible member while that helps; each move
        // lowers the sum of squared counts, so this ends.
        bool moved = true;
        while (moved)
        {
            moved = false;
            foreach (AssignorMember from in members.OrderByDescending(m => result[m.MemberId].Count))
            {
                List<TopicPartition> fromList = result[from.MemberId];
                foreach (TopicPartition partition in fromList.Order().ToList())
                {
                    AssignorMember? to = EligibleFor(partition)
                        .Where(m => result[m.MemberId].Count + 1 < fromList.Count)
                        .MinBy(m => result[m.MemberId].Count);
                    if (to is not null)
                    {
                        fromList.Remove(partition);
                        result[to.MemberId].Add(partition);
                        moved = true;
                        break;
                    }
                }

                if (moved)
                {
                    break;
                }
            }
        }
    }
}
