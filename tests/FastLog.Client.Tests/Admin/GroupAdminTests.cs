using FastLog.Client.Admin;
using FastLog.Protocol;
using static FastLog.Client.Tests.Admin.AdminTestKit;

namespace FastLog.Client.Tests.Admin;

public sealed class GroupAdminTests
{
    [Fact]
    public async Task Describe_shows_a_live_consumer_with_its_client_id_host_and_decoded_assignment()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("events", 3)]);
        using var consumer = new GroupConsumer(broker.BootstrapServers, "readers", "events", clientId: "reader-1");

        GroupDescription? group = null;
        await EventuallyAsync(
            async () => (group = await TryDescribeAsync(admin, "readers")) is { State: GroupState.Stable, Members: [{ Assignment.Count: 3 }] },
            "the consumer holds all three partitions");

        Assert.Equal("readers", group!.GroupId);
        Assert.Equal("consumer", group.ProtocolType);
        Assert.Contains(group.Protocol, new[] { "range", "roundrobin", "cooperative-sticky" });
        Assert.Equal(broker.Config.NodeId, group.CoordinatorId);
        GroupMemberDescription member = Assert.Single(group.Members);
        Assert.Equal("reader-1", member.ClientId);
        Assert.False(string.IsNullOrEmpty(member.MemberId));
        Assert.Contains("127.0.0.1", member.ClientHost, StringComparison.Ordinal);
        Assert.Equal(
            [new TopicAndPartition("events", 0), new TopicAndPartition("events", 1), new TopicAndPartition("events", 2)],
            member.Assignment.OrderBy(p => p.Partition));

        GroupListing listed = Assert.Single(await admin.ListGroupsAsync().WaitAsync(HangGuard));
        Assert.Equal(new GroupListing("readers", "consumer", GroupState.Stable, broker.Config.NodeId), listed);
    }

    [Fact]
    public async Task Deleting_a_group_with_members_says_to_stop_its_consumers_and_succeeds_once_they_left()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("events", 1)]);
        Produce(broker.BootstrapServers, "events", 0, 5);
        var consumer = new GroupConsumer(broker.BootstrapServers, "busy", "events");
        try
        {
            await WaitForStateAsync(admin, "busy", GroupState.Stable);

            var e = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteGroupsAsync(["busy"]).WaitAsync(HangGuard));

            Assert.Equal(ErrorCode.NonEmptyGroup, e.Error);
            Assert.Equal("Group 'busy' is not empty; stop its consumers first.", e.Message);
        }
        finally
        {
            consumer.Dispose();
        }

        await WaitForStateAsync(admin, "busy", GroupState.Empty);
        await admin.DeleteGroupsAsync(["busy"]).WaitAsync(HangGuard);

        var gone = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeGroupsAsync(["busy"]).WaitAsync(HangGuard));
        Assert.Equal(ErrorCode.GroupIdNotFound, gone.Error);
        Assert.Equal("Group 'busy' does not exist.", gone.Message);
        Assert.Empty(await admin.ListGroupOffsetsAsync("busy"));
        Assert.Empty(await admin.ListGroupsAsync());
    }

    [Fact]
    public async Task Deleting_an_unknown_group_says_it_does_not_exist()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);

        var e = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteGroupsAsync(["ghost"]).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.GroupIdNotFound, e.Error);
        Assert.Equal("Group 'ghost' does not exist.", e.Message);
    }

    [Fact]
    public async Task A_group_that_only_committed_offsets_is_listed_empty_and_can_be_deleted()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 1)]);
        await admin.AlterGroupOffsetsAsync("offsets-only", new Dictionary<TopicAndPartition, long> { [new("t", 0)] = 0 });

        GroupListing listed = Assert.Single(await admin.ListGroupsAsync().WaitAsync(HangGuard));
        GroupDescription described = Assert.Single(await admin.DescribeGroupsAsync(["offsets-only"]));
        await admin.DeleteGroupsAsync(["offsets-only"]).WaitAsync(HangGuard);

        Assert.Equal(GroupState.Empty, listed.State);
        Assert.Equal(GroupState.Empty, described.State);
        Assert.Empty(described.Members);
        Assert.Empty(await admin.ListGroupsAsync());
    }
}
