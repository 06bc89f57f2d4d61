using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace FastLog.Server.Tests.Admin;

/// <summary>CreateTopics, CreatePartitions and DeleteTopics through Confluent.Kafka's admin client.</summary>
public sealed class TopicAdminTests
{
    [Fact]
    public async Task CreateTopics_creates_the_topic_with_its_partitions_and_configs()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);

        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = "orders",
            NumPartitions = 3,
            ReplicationFactor = 1,
            Configs = new Dictionary<string, string> { ["retention.ms"] = "3600000", ["cleanup.policy"] = "compact" },
        }]);

        var topic = Assert.Single(admin.GetMetadata("orders", AdminTestKit.Timeout).Topics);
        Assert.Equal(ErrorCode.NoError, topic.Error.Code);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.PartitionId).Order());
        var configs = Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "orders" }])).Entries;
        Assert.Equal("3600000", configs["retention.ms"].Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, configs["retention.ms"].Source);
        Assert.Equal("compact", configs["cleanup.policy"].Value);
        Assert.Equal(ConfigSource.DefaultConfig, configs["segment.bytes"].Source);
    }

    [Fact]
    public async Task CreateTopics_with_unset_partitions_and_replication_uses_the_broker_defaults()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["num.partitions"] = "4" });
        using var admin = AdminTestKit.Admin(broker);

        await admin.CreateTopicsAsync([new TopicSpecification { Name = "defaults", NumPartitions = -1, ReplicationFactor = -1 }]);

        Assert.Equal(4, Assert.Single(admin.GetMetadata("defaults", AdminTestKit.Timeout).Topics).Partitions.Count);
    }

    [Fact]
    public async Task CreateTopics_validate_only_creates_nothing()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" });
        using var admin = AdminTestKit.Admin(broker);

        await admin.CreateTopicsAsync([new TopicSpecification { Name = "dry-run", NumPartitions = 2, ReplicationFactor = 1 }], new CreateTopicsOptions { ValidateOnly = true });

        Assert.DoesNotContain("dry-run", AdminTestKit.TopicNames(admin));
        var invalid = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
            [new TopicSpecification { Name = "dry-run", NumPartitions = 1, ReplicationFactor = 3 }], new CreateTopicsOptions { ValidateOnly = true }));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, Assert.Single(invalid.Results).Error.Code);
    }

    [Fact]
    public async Task CreateTopics_refuses_an_existing_topic_a_bad_name_a_replication_factor_above_one_and_a_bad_config()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "taken", NumPartitions = 1, ReplicationFactor = 1 }]);

        var failure = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync(
        [
            new TopicSpecification { Name = "taken", NumPartitions = 1, ReplicationFactor = 1 },
            new TopicSpecification { Name = "bad name!", NumPartitions = 1, ReplicationFactor = 1 },
            new TopicSpecification { Name = "replicated", NumPartitions = 1, ReplicationFactor = 3 },
            new TopicSpecification { Name = "misconfigured", NumPartitions = 1, ReplicationFactor = 1, Configs = new Dictionary<string, string> { ["retention.ms"] = "soon" } },
            new TopicSpecification { Name = "fine", NumPartitions = 1, ReplicationFactor = 1 },
        ]));

        var errors = failure.Results.ToDictionary(r => r.Topic, r => r.Error.Code);
        Assert.Equal(ErrorCode.TopicAlreadyExists, errors["taken"]);
        Assert.Equal(ErrorCode.TopicException, errors["bad name!"]);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, errors["replicated"]);
        Assert.Equal(ErrorCode.InvalidConfig, errors["misconfigured"]);
        Assert.Equal(ErrorCode.NoError, errors["fine"]);
        var names = AdminTestKit.TopicNames(admin);
        Assert.Contains("fine", names);
        Assert.DoesNotContain("replicated", names);
        Assert.DoesNotContain("misconfigured", names);
    }

    [Fact]
    public async Task CreatePartitions_grows_a_topic_and_refuses_to_shrink_it()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "growing", NumPartitions = 2, ReplicationFactor = 1 }]);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "growing", IncreaseTo = 6 }], new CreatePartitionsOptions { ValidateOnly = true });
        Assert.Equal(2, Assert.Single(admin.GetMetadata("growing", AdminTestKit.Timeout).Topics).Partitions.Count);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "growing", IncreaseTo = 5 }]);
        Assert.Equal(5, Assert.Single(admin.GetMetadata("growing", AdminTestKit.Timeout).Topics).Partitions.Count);

        // The new partitions take writes at once.
        using (var producer = AdminTestKit.Producer(broker))
        {
            var delivered = await producer.ProduceAsync(new TopicPartition("growing", 4), new Message<string, string> { Key = "k", Value = "v" });
            Assert.Equal(0, delivered.Offset.Value);
        }

        var shrink = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "growing", IncreaseTo = 3 }]));
        Assert.Equal(ErrorCode.InvalidPartitions, Assert.Single(shrink.Results).Error.Code);
        var unknown = await Assert.ThrowsAsync<CreatePartitionsException>(() => admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "nowhere", IncreaseTo = 3 }]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(unknown.Results).Error.Code);
        Assert.Equal(5, Assert.Single(admin.GetMetadata("growing", AdminTestKit.Timeout).Topics).Partitions.Count);
    }

    [Fact]
    public async Task DeleteTopics_removes_the_topic_and_its_data_and_the_name_can_be_reused()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" });
        using var admin = AdminTestKit.Admin(broker);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "doomed", NumPartitions = 1, ReplicationFactor = 1 }]);
        await AdminTestKit.ProduceAsync(broker, "doomed", 3);

        await admin.DeleteTopicsAsync(["doomed"]);

        Assert.DoesNotContain("doomed", AdminTestKit.TopicNames(admin));
        var unknown = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync(["doomed"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(unknown.Results).Error.Code);

        await admin.CreateTopicsAsync([new TopicSpecification { Name = "doomed", NumPartitions = 1, ReplicationFactor = 1 }]);
        Assert.Contains("doomed", AdminTestKit.TopicNames(admin));
        using var consumer = AdminTestKit.Consumer(broker, AutoOffsetReset.Earliest);
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition("doomed", 0), AdminTestKit.Timeout);
        Assert.Equal(0, watermarks.Low.Value);
        Assert.Equal(0, watermarks.High.Value);
    }
}
