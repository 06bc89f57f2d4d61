using FastLog.Client.Admin;
using FastLog.Protocol;
using static FastLog.Client.Tests.Admin.AdminTestKit;

namespace FastLog.Client.Tests.Admin;

public sealed class GroupOffsetsAdminTests
{
    private static readonly TopicAndPartition P0 = new("t", 0);
    private static readonly TopicAndPartition P1 = new("t", 1);

    [Fact]
    public async Task Altered_offsets_are_listed_and_unknown_partitions_report_minus_one()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 3)]);

        await admin.AlterGroupOffsetsAsync("g", new Dictionary<TopicAndPartition, long> { [P1] = 7, [P0] = 3 }).WaitAsync(HangGuard);

        IReadOnlyList<CommittedOffset> all = await admin.ListGroupOffsetsAsync("g").WaitAsync(HangGuard);
        Assert.Equal([(P0, 3L), (P1, 7L)], all.Select(o => (o.Partition, o.Offset)));
        IReadOnlyList<CommittedOffset> some = await admin.ListGroupOffsetsAsync("g", [new("t", 2), P1]).WaitAsync(HangGuard);
        Assert.Equal([(P1, 7L), (new TopicAndPartition("t", 2), -1L)], some.Select(o => (o.Partition, o.Offset)));
        Assert.Empty(await admin.ListGroupOffsetsAsync("never-committed"));
    }

    [Fact]
    public async Task Altering_offsets_of_an_unknown_partition_or_of_an_active_group_is_refused()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 1)]);

        var unknown = await Assert.ThrowsAsync<KafkaException>(() => admin.AlterGroupOffsetsAsync("g", new Dictionary<TopicAndPartition, long> { [new("t", 5)] = 0 }).WaitAsync(HangGuard));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.Error);
        Assert.Equal("Partition t-5 does not exist.", unknown.Message);

        using var consumer = new GroupConsumer(broker.BootstrapServers, "live", "t");
        await WaitForStateAsync(admin, "live", GroupState.Stable);
        var active = await Assert.ThrowsAsync<KafkaException>(() => admin.AlterGroupOffsetsAsync("live", new Dictionary<TopicAndPartition, long> { [P0] = 0 }).WaitAsync(HangGuard));
        var reset = await Assert.ThrowsAsync<KafkaException>(() => admin.ResetGroupOffsetsAsync("live", [P0], OffsetResetSpec.Earliest).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.UnknownMemberId, active.Error);
        Assert.Equal("Group 'live' has active members; stop its consumers before changing its offsets.", active.Message);
        Assert.Equal(ErrorCode.NonEmptyGroup, reset.Error);
        Assert.Contains("Stop its consumers first", reset.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reset_to_earliest_latest_offset_and_time_resolves_through_list_offsets_and_dry_run_commits_nothing()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 2)]);
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Produce(broker.BootstrapServers, "t", 0, 10, i => start.AddMinutes(i));
        Produce(broker.BootstrapServers, "t", 1, 4, i => start.AddMinutes(i));
        await admin.DeleteRecordsAsync(new Dictionary<TopicAndPartition, long> { [P0] = 2 });

        IReadOnlyList<CommittedOffset> dry = await admin.ResetGroupOffsetsAsync("g", [P0, P1], OffsetResetSpec.Latest, dryRun: true).WaitAsync(HangGuard);
        Assert.Equal([10L, 4L], dry.Select(o => o.Offset));
        Assert.Empty(await admin.ListGroupOffsetsAsync("g"));

        await admin.ResetGroupOffsetsAsync("g", [P0, P1], OffsetResetSpec.Earliest).WaitAsync(HangGuard);
        Assert.Equal([2L, 0L], await CommittedAsync(admin));

        await admin.ResetGroupOffsetsAsync("g", [P0, P1], OffsetResetSpec.ToTimestamp(start.AddMinutes(5))).WaitAsync(HangGuard);
        Assert.Equal([5L, 4L], await CommittedAsync(admin));

        // An explicit offset outside a partition's range is clamped into it.
        await admin.ResetGroupOffsetsAsync("g", [P0, P1], OffsetResetSpec.ToOffset(1)).WaitAsync(HangGuard);
        Assert.Equal([2L, 1L], await CommittedAsync(admin));
        await admin.ResetGroupOffsetsAsync("g", [P0, P1], OffsetResetSpec.ToOffset(100)).WaitAsync(HangGuard);
        Assert.Equal([10L, 4L], await CommittedAsync(admin));
    }

    [Fact]
    public async Task A_consumer_starts_from_the_reset_offset()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 1)]);
        Produce(broker.BootstrapServers, "t", 0, 20);

        await admin.ResetGroupOffsetsAsync("resume", [P0], OffsetResetSpec.ToOffset(15)).WaitAsync(HangGuard);
        using var consumer = new GroupConsumer(broker.BootstrapServers, "resume", "t", autoCommit: false);
        await EventuallyAsync(() => Task.FromResult(consumer.Records.Count >= 5), "the consumer read the last five records");

        Assert.Equal([15L, 16L, 17L, 18L, 19L], consumer.Records.Select(r => r.Offset));
    }

    [Fact]
    public async Task Lag_is_the_latest_offset_minus_the_committed_one()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 2)]);
        Produce(broker.BootstrapServers, "t", 0, 12);
        Produce(broker.BootstrapServers, "t", 1, 3);
        await admin.AlterGroupOffsetsAsync("g", new Dictionary<TopicAndPartition, long> { [P0] = 4, [P1] = 3 });

        IReadOnlyList<CommittedOffset> committed = await admin.ListGroupOffsetsAsync("g").WaitAsync(HangGuard);
        IReadOnlyList<ListedOffset> latest = await admin.ListOffsetsAsync(committed.Select(c => c.Partition), OffsetSpec.Latest).WaitAsync(HangGuard);
        var lag = committed.Zip(latest, (c, l) => (c.Partition, Lag: l.Offset - c.Offset));

        Assert.Equal([(P0, 8L), (P1, 0L)], lag);
    }

    [Fact]
    public async Task Deleting_offsets_removes_them_but_not_while_consumers_are_subscribed_to_the_topic()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 2), new NewTopic("other", 1)]);
        await admin.AlterGroupOffsetsAsync("g", new Dictionary<TopicAndPartition, long> { [P0] = 1, [P1] = 1, [new("other", 0)] = 1 });

        await admin.DeleteGroupOffsetsAsync("g", [P1]).WaitAsync(HangGuard);
        Assert.Equal([new TopicAndPartition("other", 0), P0], (await admin.ListGroupOffsetsAsync("g")).Select(o => o.Partition));

        var missing = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteGroupOffsetsAsync("ghost", [P0]).WaitAsync(HangGuard));
        Assert.Equal(ErrorCode.GroupIdNotFound, missing.Error);
        Assert.Equal("Group 'ghost' does not exist.", missing.Message);

        using var consumer = new GroupConsumer(broker.BootstrapServers, "g", "t", autoCommit: false);
        await WaitForStateAsync(admin, "g", GroupState.Stable);
        var subscribed = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteGroupOffsetsAsync("g", [P0]).WaitAsync(HangGuard));
        await admin.DeleteGroupOffsetsAsync("g", [new("other", 0)]).WaitAsync(HangGuard);

        Assert.Equal(ErrorCode.GroupSubscribedToTopic, subscribed.Error);
        Assert.StartsWith("Group 'g', partition t-0: the group's consumers are subscribed to this topic", subscribed.Message, StringComparison.Ordinal);
        Assert.Equal([P0], (await admin.ListGroupOffsetsAsync("g")).Select(o => o.Partition));
    }

    private static async Task<IEnumerable<long>> CommittedAsync(KafkaAdminClient admin) =>
        (await admin.ListGroupOffsetsAsync("g", [P0, P1])).Select(o => o.Offset);
}
