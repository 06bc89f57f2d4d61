using FastLog.Client.Consumer;
using FastLog.Client.Consumer.Assignment;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// Each assignor on its own: the documented Kafka examples for range and roundrobin, determinism (input order
/// does not matter), complete and disjoint results, and for cooperative-sticky balance, stickiness, ownership
/// conflicts and the cooperative rule that a moving partition skips one round.
/// </summary>
public sealed class AssignorTests
{
    private static AssignorMember Member(string id, IEnumerable<string> topics, IEnumerable<TopicPartition>? owned = null, int generation = -1, string? instance = null) =>
        new(id, instance, new ConsumerSubscription([.. topics], null, [.. owned ?? []], generation, null));

    private static TopicPartition P(string topic, int partition) => new(topic, partition);

    private static void AssertCompleteAndDisjoint(IReadOnlyDictionary<string, int> topics, Dictionary<string, List<TopicPartition>> result)
    {
        var all = result.Values.SelectMany(p => p).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(topics.SelectMany(t => Enumerable.Range(0, t.Value).Select(p => P(t.Key, p))).Order(), all.Order());
    }

    [Fact]
    public void Range_gives_each_member_consecutive_partitions_per_topic()
    {
        // Kafka's RangeAssignor example: two members, two topics of three partitions.
        var topics = new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 };
        var result = RangeAssignor.Instance.Assign(topics, [Member("C1", ["t0", "t1"]), Member("C0", ["t0", "t1"])], cooperative: false);

        Assert.Equal([P("t0", 0), P("t0", 1), P("t1", 0), P("t1", 1)], result["C0"].Order());
        Assert.Equal([P("t0", 2), P("t1", 2)], result["C1"].Order());
    }

    [Fact]
    public void Range_puts_static_members_first_and_skips_missing_topics_and_unsubscribed_members()
    {
        var topics = new Dictionary<string, int> { ["t0"] = 5 };
        var result = RangeAssignor.Instance.Assign(
            topics,
            [Member("a", ["t0"]), Member("z", ["t0", "missing"], instance: "instance-1"), Member("other", ["t9"])],
            cooperative: false);

        Assert.Equal([P("t0", 0), P("t0", 1), P("t0", 2)], result["z"]);
        Assert.Equal([P("t0", 3), P("t0", 4)], result["a"]);
        Assert.Empty(result["other"]);
    }

    [Fact]
    public void Round_robin_deals_all_partitions_in_turn()
    {
        // Kafka's RoundRobinAssignor example.
        var topics = new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 };
        var result = RoundRobinAssignor.Instance.Assign(topics, [Member("C0", ["t0", "t1"]), Member("C1", ["t0", "t1"])], cooperative: false);

        Assert.Equal([P("t0", 0), P("t0", 2), P("t1", 1)], result["C0"]);
        Assert.Equal([P("t0", 1), P("t1", 0), P("t1", 2)], result["C1"]);
    }

    [Fact]
    public void Round_robin_skips_members_not_subscribed_to_a_topic()
    {
        var topics = new Dictionary<string, int> { ["a"] = 2, ["b"] = 2 };
        var result = RoundRobinAssignor.Instance.Assign(topics, [Member("m0", ["a"]), Member("m1", ["a", "b"])], cooperative: false);

        Assert.Equal([P("a", 0)], result["m0"]);
        Assert.Equal([P("a", 1), P("b", 0), P("b", 1)], result["m1"]);
        AssertCompleteAndDisjoint(topics, result);
    }

    [Theory]
    [InlineData("range")]
    [InlineData("roundrobin")]
    [InlineData("cooperative-sticky")]
    public void Every_assignor_is_deterministic_complete_and_disjoint(string name)
    {
        IPartitionAssignor assignor = name switch
        {
            "range" => RangeAssignor.Instance,
            "roundrobin" => RoundRobinAssignor.Instance,
            _ => CooperativeStickyAssignor.Instance,
        };
        var topics = new Dictionary<string, int> { ["x"] = 7, ["y"] = 4, ["z"] = 1 };
        AssignorMember[] members = [.. Enumerable.Range(0, 5).Select(i => Member("member-" + i, ["x", "y", "z"]))];
        var forward = assignor.Assign(topics, members, cooperative: false);
        var backward = assignor.Assign(topics, [.. members.Reverse()], cooperative: false);

        AssertCompleteAndDisjoint(topics, forward);
        foreach (AssignorMember member in members)
        {
            Assert.Equal(forward[member.MemberId].Order(), backward[member.MemberId].Order());
        }
    }

    [Fact]
    public void Cooperative_sticky_balances_a_fresh_group()
    {
        var topics = new Dictionary<string, int> { ["t"] = 10 };
        var result = CooperativeStickyAssignor.Instance.Assign(topics, [Member("a", ["t"]), Member("b", ["t"]), Member("c", ["t"])], cooperative: true);

        AssertCompleteAndDisjoint(topics, result);
        Assert.Equal([3, 3, 4], result.Values.Select(p => p.Count).Order());
    }

    [Fact]
    public void Cooperative_sticky_keeps_partitions_in_place_and_defers_moves_to_the_next_round()
    {
        var topics = new Dictionary<string, int> { ["t"] = 6 };
        TopicPartition[] ofA = [P("t", 0), P("t", 1), P("t", 2)];
        TopicPartition[] ofB = [P("t", 3), P("t", 4), P("t", 5)];

        // A third member joins: each old member gives up one partition, which nobody gets this round.
        var first = CooperativeStickyAssignor.Instance.Assign(
            topics,
            [Member("a", ["t"], ofA, 1), Member("b", ["t"], ofB, 1), Member("c", ["t"])],
            cooperative: true);
        Assert.Equal(2, first["a"].Count);
        Assert.Equal(2, first["b"].Count);
        Assert.Empty(first["c"]);
        Assert.Subset(ofA.ToHashSet(), first["a"].ToHashSet());
        Assert.Subset(ofB.ToHashSet(), first["b"].ToHashSet());

        // After revoking, the follow-up round gives the two freed partitions to the new member.
        var second = CooperativeStickyAssignor.Instance.Assign(
            topics,
            [Member("a", ["t"], first["a"], 2), Member("b", ["t"], first["b"], 2), Member("c", ["t"], [], 2)],
            cooperative: true);
        Assert.Equal(first["a"], second["a"]);
        Assert.Equal(first["b"], second["b"]);
        Assert.Equal(ofA.Concat(ofB).Except(first["a"]).Except(first["b"]).Order(), second["c"]);
        AssertCompleteAndDisjoint(topics, second);
    }

    [Fact]
    public void Cooperative_sticky_without_the_cooperative_rule_moves_partitions_at_once()
    {
        var topics = new Dictionary<string, int> { ["t"] = 4 };
        var result = CooperativeStickyAssignor.Instance.Assign(
            topics,
            [Member("a", ["t"], [P("t", 0), P("t", 1), P("t", 2), P("t", 3)], 3), Member("b", ["t"])],
            cooperative: false);

        Assert.Equal([P("t", 0), P("t", 1)], result["a"]);
        Assert.Equal([P("t", 2), P("t", 3)], result["b"]);
    }

    [Fact]
    public void Cooperative_sticky_resolves_ownership_claims_by_generation()
    {
        var topics = new Dictionary<string, int> { ["t"] = 2 };

        // "stale" still claims partition 0 from an older generation; "fresh" owns it now.
        var result = CooperativeStickyAssignor.Instance.Assign(
            topics,
            [Member("stale", ["t"], [P("t", 0)], 4), Member("fresh", ["t"], [P("t", 0)], 5)],
            cooperative: true);
        Assert.Equal([P("t", 0)], result["fresh"]);
        Assert.Equal([P("t", 1)], result["stale"]);

        // Equal generations void both claims: the partition is free and assigned normally.
        var tie = CooperativeStickyAssignor.Instance.Assign(
            topics,
            [Member("x", ["t"], [P("t", 0)], 5), Member("y", ["t"], [P("t", 0)], 5)],
            cooperative: true);
        AssertCompleteAndDisjoint(topics, tie);
    }

    [Fact]
    public void Cooperative_sticky_balances_members_with_different_subscriptions()
    {
        var topics = new Dictionary<string, int> { ["shared"] = 4, ["only-b"] = 2 };
        var result = CooperativeStickyAssignor.Instance.Assign(
            topics,
            [Member("a", ["shared"]), Member("b", ["shared", "only-b"])],
            cooperative: false);

        AssertCompleteAndDisjoint(topics, result);
        Assert.All(result["a"], p => Assert.Equal("shared", p.Topic));
        Assert.Equal(3, result["a"].Count);
        Assert.Equal(3, result["b"].Count);
    }

    [Fact]
    public void Consumer_protocol_bytes_round_trip_and_old_versions_read()
    {
        var subscription = new ConsumerSubscription(["a", "b"], [1, 2, 3], [P("a", 1), P("b", 0), P("a", 0)], 12, "rack-1");
        ConsumerSubscription read = ConsumerProtocol.ReadSubscription(ConsumerProtocol.WriteSubscription(subscription));
        Assert.Equal(subscription.Topics, read.Topics);
        Assert.Equal(subscription.UserData, read.UserData);
        Assert.Equal(subscription.OwnedPartitions.Order(), read.OwnedPartitions);
        Assert.Equal(12, read.Generation);
        Assert.Equal("rack-1", read.RackId);

        // Version 0, as old clients write it: int16 version, [topics], null user data; nothing else.
        byte[] v0 = [0, 0, 0, 0, 0, 1, 0, 1, (byte)'t', 0xFF, 0xFF, 0xFF, 0xFF];
        ConsumerSubscription old = ConsumerProtocol.ReadSubscription(v0);
        Assert.Equal(["t"], old.Topics);
        Assert.Null(old.UserData);
        Assert.Empty(old.OwnedPartitions);
        Assert.Equal(-1, old.Generation);

        List<TopicPartition> assignment = [P("x", 2), P("x", 0), P("y", 5)];
        Assert.Equal(assignment.Order(), ConsumerProtocol.ReadAssignment(ConsumerProtocol.WriteAssignment(assignment)));
        Assert.Empty(ConsumerProtocol.ReadAssignment([]));
        Assert.Throws<KafkaException>(() => ConsumerProtocol.ReadAssignment([0, 0, 0, 0, 0, 9]));
    }
}
