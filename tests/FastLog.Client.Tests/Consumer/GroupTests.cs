using System.Collections.Concurrent;
using FastLog.Client.Consumer;
using FastLog.Server.Broker;
using static FastLog.Client.Tests.Consumer.ConsumerTestKit;
using CK = Confluent.Kafka;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// Consumer groups: FastLog members alone and mixed with Confluent.Kafka members under the same group id and
/// assignor. Each test waits for a stable group, produces, and checks the assignment is disjoint and complete and
/// that every record was consumed exactly once across members — then a member leaves and the rest take over
/// from the committed offsets, again exactly once.
/// </summary>
public sealed class GroupTests
{
    private const int Partitions = 6;

    private static ConsumerOptions GroupOptions(FastLogBroker broker, string groupId, PartitionAssignmentStrategy strategy)
    {
        ConsumerOptions options = Options(broker, groupId);
        options.PartitionAssignmentStrategies = [strategy];
        return options;
    }

    private static void AssertDisjointAndComplete(IReadOnlyList<IGroupWorker> workers, string topic)
    {
        var all = workers.SelectMany(w => w.Assignment).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)), all.Order());
    }

    private static bool Balanced(IReadOnlyList<IGroupWorker> workers) =>
        workers.Sum(w => w.Assignment.Count) == Partitions
        && workers.All(w => w.Assignment.Count == Partitions / workers.Count)
        && workers.SelectMany(w => w.Assignment).Distinct().Count() == Partitions;

    private static async Task ProduceAndCheckAsync(FastLogBroker broker, string topic, IReadOnlyList<IGroupWorker> workers, ConcurrentBag<(int Partition, long Offset)> consumed, int count, int start)
    {
        int before = consumed.Count;
        await ProduceAsync(broker.BootstrapServers, topic, count, Partitions, start: start);
        await WaitUntilAsync(() => consumed.Count >= before + count, $"{before + count} records are consumed");
        await Task.Delay(300);
        Assert.Equal(before + count, consumed.Count);
        Assert.Equal(consumed.Count, consumed.Distinct().Count());
        AssertDisjointAndComplete(workers, topic);
    }

    private static async Task RunGroupAsync(FastLogBroker broker, string topic, List<IGroupWorker> workers, ConcurrentBag<(int Partition, long Offset)> consumed)
    {
        try
        {
            await WaitUntilAsync(() => Balanced(workers), "the group is balanced");
            AssertDisjointAndComplete(workers, topic);
            await WaitUntilAsync(() => consumed.Count == 1, "the warm-up record that created the topic is consumed");
            await ProduceAndCheckAsync(broker, topic, workers, consumed, 3000, 0);

            IGroupWorker leaving = workers[0];
            workers.RemoveAt(0);
            await leaving.StopAsync();
            await WaitUntilAsync(() => Balanced(workers), "the remaining members took over every partition");
            await ProduceAndCheckAsync(broker, topic, workers, consumed, 1200, 3000);
        }
        finally
        {
            foreach (IGroupWorker worker in workers)
            {
                await worker.StopAsync();
            }
        }
    }

    [Theory]
    [InlineData(PartitionAssignmentStrategy.Range)]
    [InlineData(PartitionAssignmentStrategy.RoundRobin)]
    [InlineData(PartitionAssignmentStrategy.CooperativeSticky)]
    public async Task FastLog_members_share_partitions_exactly_once_and_take_over_on_leave(PartitionAssignmentStrategy strategy)
    {
        await using FastLogBroker broker = await StartBrokerAsync(Partitions);
        string topic = "group-" + strategy;
        await CreateTopicAsync(broker.BootstrapServers, topic);
        var consumed = new ConcurrentBag<(int, long)>();
        var workers = new List<IGroupWorker>
        {
            new FastLogWorker("a", GroupOptions(broker, "g-" + strategy, strategy), topic, consumed),
            new FastLogWorker("b", GroupOptions(broker, "g-" + strategy, strategy), topic, consumed),
            new FastLogWorker("c", GroupOptions(broker, "g-" + strategy, strategy), topic, consumed),
        };

        await RunGroupAsync(broker, topic, workers, consumed);
    }

    [Theory]
    [InlineData(PartitionAssignmentStrategy.Range, CK.PartitionAssignmentStrategy.Range)]
    [InlineData(PartitionAssignmentStrategy.RoundRobin, CK.PartitionAssignmentStrategy.RoundRobin)]
    [InlineData(PartitionAssignmentStrategy.CooperativeSticky, CK.PartitionAssignmentStrategy.CooperativeSticky)]
    public async Task FastLog_and_Confluent_members_of_one_group_share_partitions_exactly_once(PartitionAssignmentStrategy ours, CK.PartitionAssignmentStrategy theirs)
    {
        await using FastLogBroker broker = await StartBrokerAsync(Partitions);
        string topic = "mixed-" + ours;
        string groupId = "mixed-g-" + ours;
        await CreateTopicAsync(broker.BootstrapServers, topic);
        var consumed = new ConcurrentBag<(int, long)>();
        var workers = new List<IGroupWorker>
        {
            new FastLogWorker("fastlog-1", GroupOptions(broker, groupId, ours), topic, consumed),
            new ConfluentWorker("confluent-1", broker.BootstrapServers, groupId, topic, theirs, consumed),
            new FastLogWorker("fastlog-2", GroupOptions(broker, groupId, ours), topic, consumed),
        };

        await RunGroupAsync(broker, topic, workers, consumed);
    }

    [Fact]
    public async Task Cooperative_sticky_revokes_only_moved_partitions_when_a_member_joins()
    {
        await using FastLogBroker broker = await StartBrokerAsync(Partitions);
        const string topic = "coop-moves";
        await CreateTopicAsync(broker.BootstrapServers, topic);
        var consumed = new ConcurrentBag<(int, long)>();
        ConsumerOptions Coop() => GroupOptions(broker, "coop", PartitionAssignmentStrategy.CooperativeSticky);
        var first = new FastLogWorker("a", Coop(), topic, consumed);
        var second = new FastLogWorker("b", Coop(), topic, consumed);
        var workers = new List<IGroupWorker> { first, second };
        try
        {
            await WaitUntilAsync(() => Balanced(workers), "two members with three partitions each");
            IReadOnlyList<TopicPartition> firstBefore = first.Assignment;
            IReadOnlyList<TopicPartition> secondBefore = second.Assignment;
            first.Events.Clear();
            second.Events.Clear();

            var third = new FastLogWorker("c", Coop(), topic, consumed);
            workers.Add(third);
            await WaitUntilAsync(() => Balanced(workers), "three members with two partitions each");

            // Each old member gave up exactly one partition and kept the other two throughout.
            foreach ((FastLogWorker worker, IReadOnlyList<TopicPartition> before) in new[] { (first, firstBefore), (second, secondBefore) })
            {
                var revoked = worker.Events.Where(e => e.Kind == "revoked").SelectMany(e => e.Partitions).ToList();
                Assert.Single(revoked);
                Assert.DoesNotContain(worker.Events, e => e.Kind == "lost");
                Assert.Equal(before.Except(revoked).Order(), worker.Assignment.Order());
            }

            Assert.Equal(2, third.Assignment.Count);
            AssertDisjointAndComplete(workers, topic);
            await WaitUntilAsync(() => consumed.Count == 1, "the warm-up record that created the topic is consumed");
            await ProduceAndCheckAsync(broker, topic, workers, consumed, 600, 0);
        }
        finally
        {
            foreach (IGroupWorker worker in workers)
            {
                await worker.StopAsync();
            }
        }
    }

    [Fact]
    public async Task Eager_rebalance_revokes_everything_then_assigns_and_handlers_fire_in_order()
    {
        await using FastLogBroker broker = await StartBrokerAsync(2);
        const string topic = "eager-events";
        await CreateTopicAsync(broker.BootstrapServers, topic);
        var consumed = new ConcurrentBag<(int, long)>();
        var first = new FastLogWorker("a", GroupOptions(broker, "eager", PartitionAssignmentStrategy.Range), topic, consumed);
        FastLogWorker? second = null;
        try
        {
            await WaitUntilAsync(() => first.Assignment.Count == 2, "the only member has both partitions");
            Assert.Equal(("assigned", 2), first.Events.Select(e => (e.Kind, e.Partitions.Count)).Single());

            second = new FastLogWorker("b", GroupOptions(broker, "eager", PartitionAssignmentStrategy.Range), topic, consumed);
            await WaitUntilAsync(() => first.Assignment.Count == 1 && second.Assignment.Count == 1, "one partition each");
            var steps = first.Events.Select(e => (e.Kind, e.Partitions.Count)).ToList();
            Assert.Equal([("assigned", 2), ("revoked", 2), ("assigned", 1)], steps);
        }
        finally
        {
            await first.StopAsync();
            if (second is not null)
            {
                await second.StopAsync();
            }
        }
    }

    [Fact]
    public async Task A_member_that_stops_reading_leaves_after_max_poll_interval_and_finds_its_partitions_lost()
    {
        await using FastLogBroker broker = await StartBrokerAsync(2);
        const string topic = "poll-timeout";
        await CreateTopicAsync(broker.BootstrapServers, topic);
        ConsumerOptions options = GroupOptions(broker, "slow-reader", PartitionAssignmentStrategy.Range);
        options.MaxPollInterval = TimeSpan.FromSeconds(2);
        var lost = new List<TopicPartition>();
        await using var slow = new KafkaConsumer<FastLog.Client.Serialization.Ignore, FastLog.Client.Serialization.Ignore>(options);
        slow.PartitionsLost += (_, e) => lost.AddRange(e.Partitions);
        slow.Subscribe(topic);
        using var guard = new CancellationTokenSource(HangGuard);
        await slow.ConsumeAsync(guard.Token);
        Assert.Equal(2, slow.Assignment.Count);

        // The slow member reads nothing now; once it has left, a newcomer gets every partition.
        var consumed = new ConcurrentBag<(int, long)>();
        var other = new FastLogWorker("other", GroupOptions(broker, "slow-reader", PartitionAssignmentStrategy.Range), topic, consumed);
        try
        {
            await WaitUntilAsync(() => other.Assignment.Count == 2, "the newcomer owns both partitions");

            // Back to reading: the old partitions are reported lost (not revoked), and the member rejoins.
            await WaitUntilAsync(
                () =>
                {
                    _ = slow.ConsumeAsync(TimeSpan.FromMilliseconds(100), guard.Token).AsTask().GetAwaiter().GetResult();
                    return slow.Assignment.Count == 1 && other.Assignment.Count == 1;
                },
                "the group is rebalanced with the slow member back");
            Assert.Equal([new TopicPartition(topic, 0), new TopicPartition(topic, 1)], lost.Order());
        }
        finally
        {
            await other.StopAsync();
        }
    }

    [Fact]
    public async Task A_throwing_rebalance_handler_surfaces_from_the_read_and_the_member_carries_on()
    {
        await using FastLogBroker broker = await StartBrokerAsync(1);
        const string topic = "throwing-handler";
        await CreateTopicAsync(broker.BootstrapServers, topic);
        await using var consumer = new KafkaConsumer<FastLog.Client.Serialization.Ignore, FastLog.Client.Serialization.Ignore>(
            GroupOptions(broker, "throwing", PartitionAssignmentStrategy.Range));
        int calls = 0;
        consumer.PartitionsAssigned += (_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("handler failed");
            }
        };
        consumer.Subscribe(topic);
        using var guard = new CancellationTokenSource(HangGuard);

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await consumer.ConsumeAsync(guard.Token));
        Assert.Equal("handler failed", error.Message);
        Assert.Equal([new TopicPartition(topic, 0)], consumer.Assignment);
        Assert.Equal(0, (await consumer.ConsumeAsync(guard.Token)).Offset);
    }

    [Fact]
    public async Task A_static_member_that_restarts_gets_its_partitions_back_without_a_rebalance()
    {
        await using FastLogBroker broker = await StartBrokerAsync(2);
        const string topic = "static-members";
        await CreateTopicAsync(broker.BootstrapServers, topic);
        var consumed = new ConcurrentBag<(int, long)>();
        ConsumerOptions Static(string instance)
        {
            ConsumerOptions options = GroupOptions(broker, "static", PartitionAssignmentStrategy.Range);
            options.GroupInstanceId = instance;
            return options;
        }

        var a = new FastLogWorker("a", Static("instance-a"), topic, consumed);
        var b = new FastLogWorker("b", Static("instance-b"), topic, consumed);
        FastLogWorker? restarted = null;
        try
        {
            await WaitUntilAsync(() => a.Assignment.Count == 1 && b.Assignment.Count == 1, "one partition each");
            IReadOnlyList<TopicPartition> ofA = a.Assignment;
            int eventsOfB = b.Events.Count;

            // Closing a static member sends no LeaveGroup; its successor takes its place.
            await a.StopAsync();
            restarted = new FastLogWorker("a-again", Static("instance-a"), topic, consumed);
            await WaitUntilAsync(() => restarted.Assignment.Count == 1, "the restarted member has a partition");
            Assert.Equal(ofA, restarted.Assignment);
            Assert.Equal(eventsOfB, b.Events.Count);
        }
        finally
        {
            await b.StopAsync();
            if (restarted is not null)
            {
                await restarted.StopAsync();
            }
        }
    }
}
