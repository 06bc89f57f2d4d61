using FastLog.Client.Admin;
using FastLog.Protocol;
using static FastLog.Client.Tests.Admin.AdminTestKit;

namespace FastLog.Client.Tests.Admin;

public sealed class TopicAdminTests
{
    [Fact]
    public async Task Create_reports_partitions_id_and_configs_and_describe_shows_leaders_replicas_and_isr()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);

        CreatedTopic created = Assert.Single(await admin.CreateTopicsAsync(
            [new NewTopic("orders", 4, 1) { Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" } }]).WaitAsync(HangGuard));

        Assert.Equal("orders", created.Name);
        Assert.Equal(4, created.NumPartitions);
        Assert.Equal(1, created.ReplicationFactor);
        Assert.NotEqual(Guid.Empty, created.TopicId);
        ConfigEntry retention = Assert.Single(created.Configs, c => c.Name == "retention.ms");
        Assert.Equal("3600000", retention.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, retention.Source);

        TopicMetadata described = Assert.Single(await admin.DescribeTopicsAsync(["orders"]).WaitAsync(HangGuard));
        ClusterDescription cluster = await admin.DescribeClusterAsync().WaitAsync(HangGuard);
        int node = Assert.Single(cluster.Brokers).NodeId;
        Assert.Equal(created.TopicId, described.TopicId);
        Assert.False(described.IsInternal);
        Assert.Equal([0, 1, 2, 3], described.Partitions.Select(p => p.Partition));
        Assert.All(described.Partitions, p =>
        {
            Assert.Equal(node, p.LeaderId);
            Assert.Equal([node], p.Replicas);
            Assert.Equal([node], p.InSyncReplicas);
        });
    }

    [Fact]
    public async Task Default_partition_count_applies_when_none_is_given()
    {
        await using var broker = await StartBrokerAsync(defaultPartitions: 5);
        await using var admin = NewAdmin(broker);

        CreatedTopic created = Assert.Single(await admin.CreateTopicsAsync([new NewTopic("defaults")]).WaitAsync(HangGuard));

        Assert.Equal(5, created.NumPartitions);
        Assert.Equal(5, Assert.Single(await admin.DescribeTopicsAsync(["defaults"])).Partitions.Count);
    }

    [Fact]
    public async Task Validate_only_creates_nothing()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);

        CreatedTopic checkedOnly = Assert.Single(await admin.CreateTopicsAsync([new NewTopic("dry", 2)], validateOnly: true).WaitAsync(HangGuard));

        Assert.Equal(2, checkedOnly.NumPartitions);
        var missing = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeTopicsAsync(["dry"]).WaitAsync(HangGuard));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, missing.Error);
    }

    [Fact]
    public async Task Creating_an_existing_topic_says_it_already_exists()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("twice", 1)]);

        var e = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic("twice", 1)]).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.TopicAlreadyExists, e.Error);
        Assert.Equal("Topic 'twice' already exists.", e.Message);
    }

    [Fact]
    public async Task Invalid_partition_count_replication_factor_name_and_config_are_refused_with_their_codes()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);

        var partitions = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic("p", 0)]).WaitAsync(HangGuard));
        var replication = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic("r", 1, 3)]).WaitAsync(HangGuard));
        var name = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync([new NewTopic("bad name!", 1)]).WaitAsync(HangGuard));
        var config = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync(
            [new NewTopic("c", 1) { Configs = new Dictionary<string, string> { ["retention.ms"] = "soon" } }]).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.InvalidPartitions, partitions.Error);
        Assert.StartsWith("Topic 'p': invalid partition count", partitions.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, replication.Error);
        Assert.Contains("cannot exceed the number of brokers", replication.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidTopicException, name.Error);
        Assert.StartsWith("Topic 'bad name!' is not a valid topic name", name.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidConfig, config.Error);
        Assert.Contains("retention.ms", config.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_failures_in_one_call_are_all_reported_and_the_good_topic_is_still_created()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("exists", 1)]);

        var e = await Assert.ThrowsAsync<KafkaException>(() => admin.CreateTopicsAsync(
            [new NewTopic("exists", 1), new NewTopic("fine", 1), new NewTopic("zero", 0)]).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.TopicAlreadyExists, e.Error);
        Assert.Contains("2 of 3 items failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("Topic 'exists' already exists.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Topic 'zero': invalid partition count", e.Message, StringComparison.Ordinal);
        var inner = Assert.IsType<AggregateException>(e.InnerException);
        Assert.Equal([ErrorCode.TopicAlreadyExists, ErrorCode.InvalidPartitions], inner.InnerExceptions.Cast<KafkaException>().Select(x => x.Error));
        Assert.Single(await admin.DescribeTopicsAsync(["fine"]));
    }

    [Fact]
    public async Task List_shows_topics_by_name_and_hides_internal_ones_unless_asked()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("b", 1), new NewTopic("a", 2)]);

        // Committing an offset creates __consumer_offsets.
        await admin.AlterGroupOffsetsAsync("g", new Dictionary<TopicAndPartition, long> { [new("a", 0)] = 0 });
        IReadOnlyList<TopicMetadata> visible = await admin.ListTopicsAsync().WaitAsync(HangGuard);
        IReadOnlyList<TopicMetadata> all = await admin.ListTopicsAsync(includeInternal: true).WaitAsync(HangGuard);

        Assert.Equal(["a", "b"], visible.Select(t => t.Name));
        Assert.Equal(2, visible[0].Partitions.Count);
        TopicMetadata offsets = Assert.Single(all, t => t.Name == "__consumer_offsets");
        Assert.True(offsets.IsInternal);
        TopicMetadata described = Assert.Single(await admin.DescribeTopicsAsync(["__consumer_offsets"]));
        Assert.True(described.IsInternal);
    }

    [Fact]
    public async Task Delete_removes_the_topic_and_deleting_an_unknown_topic_says_it_does_not_exist()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("doomed", 2)]);

        await admin.DeleteTopicsAsync(["doomed"]).WaitAsync(HangGuard);
        var gone = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeTopicsAsync(["doomed"]).WaitAsync(HangGuard));
        var unknown = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteTopicsAsync(["doomed"]).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, gone.Error);
        Assert.Equal("Topic 'doomed' does not exist.", gone.Message);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.Error);
        Assert.Equal("Topic 'doomed' does not exist.", unknown.Message);
        Assert.DoesNotContain("doomed", (await admin.ListTopicsAsync()).Select(t => t.Name));
    }

    [Fact]
    public async Task Create_partitions_raises_the_count_and_refuses_a_smaller_count_or_an_unknown_topic()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("grow", 2)]);

        await admin.CreatePartitionsAsync([new NewPartitions("grow", 5)], validateOnly: true).WaitAsync(HangGuard);
        Assert.Equal(2, Assert.Single(await admin.DescribeTopicsAsync(["grow"])).Partitions.Count);
        await admin.CreatePartitionsAsync([new NewPartitions("grow", 5)]).WaitAsync(HangGuard);
        var smaller = await Assert.ThrowsAsync<KafkaException>(() => admin.CreatePartitionsAsync([new NewPartitions("grow", 3)]).WaitAsync(HangGuard));
        var unknown = await Assert.ThrowsAsync<KafkaException>(() => admin.CreatePartitionsAsync([new NewPartitions("nope", 3)]).WaitAsync(HangGuard));

        Assert.Equal(5, Assert.Single(await admin.DescribeTopicsAsync(["grow"])).Partitions.Count);
        Assert.Equal(ErrorCode.InvalidPartitions, smaller.Error);
        Assert.StartsWith("Topic 'grow': invalid partition count", smaller.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknown.Error);
        Assert.Equal("Topic 'nope' does not exist.", unknown.Message);
    }

    [Fact]
    public async Task Arguments_are_checked_before_anything_is_sent()
    {
        await using var admin = new KafkaAdminClient(new AdminOptions { BootstrapServers = "127.0.0.1:1" });

        await Assert.ThrowsAsync<ArgumentException>(() => admin.CreateTopicsAsync([new NewTopic("x", 1), new NewTopic("x", 2)]));
        await Assert.ThrowsAsync<ArgumentException>(() => admin.CreateTopicsAsync([new NewTopic("", 1)]));
        await Assert.ThrowsAsync<ArgumentException>(() => admin.DeleteTopicsAsync([""]));
        await Assert.ThrowsAsync<ArgumentException>(() => admin.CreatePartitionsAsync([new NewPartitions("x", 2), new NewPartitions("x", 3)]));
    }
}
