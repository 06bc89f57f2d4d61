using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace FastLog.Server.Tests.Admin;

/// <summary>DescribeConfigs, AlterConfigs and IncrementalAlterConfigs through Confluent.Kafka's admin client.</summary>
public sealed class ConfigAdminTests
{
    [Fact]
    public async Task DescribeConfigs_of_a_topic_reports_values_in_force_and_where_they_come_from()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["log.retention.bytes"] = "5000000", ["log.retention.hours"] = "24" });
        using var admin = AdminTestKit.Admin(broker);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "described", NumPartitions = 1, ReplicationFactor = 1, Configs = new Dictionary<string, string> { ["max.message.bytes"] = "200000" } }]);

        var entries = Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "described" }])).Entries;

        Assert.Equal(("200000", ConfigSource.DynamicTopicConfig), (entries["max.message.bytes"].Value, entries["max.message.bytes"].Source));
        Assert.Equal(("5000000", ConfigSource.StaticBrokerConfig), (entries["retention.bytes"].Value, entries["retention.bytes"].Source));
        Assert.Equal(("86400000", ConfigSource.StaticBrokerConfig), (entries["retention.ms"].Value, entries["retention.ms"].Source));
        Assert.Equal(("delete", ConfigSource.DefaultConfig), (entries["cleanup.policy"].Value, entries["cleanup.policy"].Source));
        Assert.All(entries.Values, e => Assert.False(e.IsReadOnly));
        Assert.All(entries.Values, e => Assert.False(e.IsSensitive));
        var synonyms = entries["retention.bytes"].Synonyms.Select(s => (s.Name, s.Value, s.Source)).ToList();
        Assert.Equal([("log.retention.bytes", "5000000", ConfigSource.StaticBrokerConfig), ("log.retention.bytes", "-1", ConfigSource.DefaultConfig)], synonyms);

        var missing = await Assert.ThrowsAsync<DescribeConfigsException>(() => admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "absent" }]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(missing.Results).Error.Code);
    }

    [Fact]
    public async Task DescribeConfigs_of_the_broker_reports_its_settings_read_only()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["num.partitions"] = "3" });
        using var admin = AdminTestKit.Admin(broker);

        var entries = Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Broker, Name = "1" }])).Entries;

        Assert.Equal(("3", ConfigSource.StaticBrokerConfig), (entries["num.partitions"].Value, entries["num.partitions"].Source));
        Assert.Equal(("true", ConfigSource.DefaultConfig), (entries["delete.topic.enable"].Value, entries["delete.topic.enable"].Source));
        Assert.Equal("1048588", entries["message.max.bytes"].Value);
        Assert.All(entries.Values, e => Assert.True(e.IsReadOnly));
    }

    [Fact]
    public async Task Legacy_AlterConfigs_replaces_the_whole_override_set_and_the_log_enforces_it()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = "altered" };
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "altered", NumPartitions = 1, ReplicationFactor = 1, Configs = new Dictionary<string, string> { ["retention.ms"] = "60000" } }]);

#pragma warning disable CS0618 // The legacy API is the one under test (librdkafka sends AlterConfigs for it).
        await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = [new ConfigEntry { Name = "max.message.bytes", Value = "1000" }] });
        var refused = await Assert.ThrowsAsync<AlterConfigsException>(() => admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = [new ConfigEntry { Name = "retention.bytes", Value = "lots" }] }));
        var validateOnly = admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = [new ConfigEntry { Name = "max.message.bytes", Value = "5000" }] }, new AlterConfigsOptions { ValidateOnly = true });
        await validateOnly;
#pragma warning restore CS0618

        Assert.Equal(ErrorCode.InvalidConfig, Assert.Single(refused.Results).Error.Code);
        var entries = Assert.Single(await admin.DescribeConfigsAsync([resource])).Entries;
        Assert.Equal(("1000", ConfigSource.DynamicTopicConfig), (entries["max.message.bytes"].Value, entries["max.message.bytes"].Source));
        Assert.Equal(ConfigSource.DefaultConfig, entries["retention.ms"].Source);
        Assert.Equal("604800000", entries["retention.ms"].Value);

        // The partition log enforces the new limit: a batch above 1000 bytes is refused.
        using var producer = AdminTestKit.Producer(broker);
        var tooLarge = await Assert.ThrowsAsync<ProduceException<string, string>>(() => producer.ProduceAsync(new TopicPartition("altered", 0), new Message<string, string> { Key = "k", Value = new string('x', 4000) }));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, tooLarge.Error.Code);
        var small = await producer.ProduceAsync(new TopicPartition("altered", 0), new Message<string, string> { Key = "k", Value = "small" });
        Assert.Equal(PersistenceStatus.Persisted, small.Status);
    }

    [Fact]
    public async Task IncrementalAlterConfigs_sets_deletes_appends_and_subtracts()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = "incremental" };
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "incremental", NumPartitions = 1, ReplicationFactor = 1, Configs = new Dictionary<string, string> { ["retention.ms"] = "60000" } }]);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] =
            [
                new ConfigEntry { Name = "retention.bytes", Value = "123456", IncrementalOperation = AlterConfigOpType.Set },
                new ConfigEntry { Name = "cleanup.policy", Value = "compact", IncrementalOperation = AlterConfigOpType.Append },
            ],
        });
        var entries = Assert.Single(await admin.DescribeConfigsAsync([resource])).Entries;
        Assert.Equal("123456", entries["retention.bytes"].Value);
        Assert.Equal("60000", entries["retention.ms"].Value);
        Assert.Equal(("delete,compact", ConfigSource.DynamicTopicConfig), (entries["cleanup.policy"].Value, entries["cleanup.policy"].Source));

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] =
            [
                new ConfigEntry { Name = "retention.ms", IncrementalOperation = AlterConfigOpType.Delete },
                new ConfigEntry { Name = "cleanup.policy", Value = "delete", IncrementalOperation = AlterConfigOpType.Subtract },
            ],
        });
        entries = Assert.Single(await admin.DescribeConfigsAsync([resource])).Entries;
        Assert.Equal(("604800000", ConfigSource.DefaultConfig), (entries["retention.ms"].Value, entries["retention.ms"].Source));
        Assert.Equal("compact", entries["cleanup.policy"].Value);
        Assert.Equal("123456", entries["retention.bytes"].Value);
    }

    [Fact]
    public async Task IncrementalAlterConfigs_refuses_bad_values_lists_ops_on_scalars_unknown_topics_and_broker_settings()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);
        var topic = new ConfigResource { Type = ResourceType.Topic, Name = "guarded" };
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "guarded", NumPartitions = 1, ReplicationFactor = 1 }]);

        async Task<ErrorCode> RefusalAsync(ConfigResource resource, ConfigEntry entry)
        {
            var failure = await Assert.ThrowsAsync<IncrementalAlterConfigsException>(() => admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [resource] = [entry] }));
            return Assert.Single(failure.Results).Error.Code;
        }

        Assert.Equal(ErrorCode.InvalidConfig, await RefusalAsync(topic, new ConfigEntry { Name = "retention.ms", Value = "abc", IncrementalOperation = AlterConfigOpType.Set }));
        Assert.Equal(ErrorCode.InvalidConfig, await RefusalAsync(topic, new ConfigEntry { Name = "cleanup.policy", Value = "shred", IncrementalOperation = AlterConfigOpType.Append }));
        Assert.Equal(ErrorCode.InvalidConfig, await RefusalAsync(topic, new ConfigEntry { Name = "retention.ms", Value = "5", IncrementalOperation = AlterConfigOpType.Append }));
        Assert.Equal(ErrorCode.InvalidConfig, await RefusalAsync(topic, new ConfigEntry { Name = "no.such.setting", Value = "5", IncrementalOperation = AlterConfigOpType.Set }));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, await RefusalAsync(new ConfigResource { Type = ResourceType.Topic, Name = "absent" }, new ConfigEntry { Name = "retention.ms", Value = "5", IncrementalOperation = AlterConfigOpType.Set }));
        Assert.Equal(ErrorCode.InvalidRequest, await RefusalAsync(new ConfigResource { Type = ResourceType.Broker, Name = "1" }, new ConfigEntry { Name = "num.partitions", Value = "5", IncrementalOperation = AlterConfigOpType.Set }));

        // validate_only checks a good value without applying it.
        await admin.IncrementalAlterConfigsAsync(
            new Dictionary<ConfigResource, List<ConfigEntry>> { [topic] = [new ConfigEntry { Name = "retention.ms", Value = "1000", IncrementalOperation = AlterConfigOpType.Set }] },
            new IncrementalAlterConfigsOptions { ValidateOnly = true });
        var entries = Assert.Single(await admin.DescribeConfigsAsync([topic])).Entries;
        Assert.Equal(ConfigSource.DefaultConfig, entries["retention.ms"].Source);
    }

    [Fact]
    public async Task A_retention_bytes_change_reaches_the_partition_log_and_retention_trims_it()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["log.retention.check.interval.ms"] = "100" });
        using var admin = AdminTestKit.Admin(broker);
        var resource = new ConfigResource { Type = ResourceType.Topic, Name = "retained" };
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "retained", NumPartitions = 1, ReplicationFactor = 1, Configs = new Dictionary<string, string> { ["segment.bytes"] = "1024" } }]);
        await AdminTestKit.ProduceAsync(broker, "retained", 40);
        var partition = new TopicPartition("retained", 0);
        using var consumer = AdminTestKit.Consumer(broker, AutoOffsetReset.Earliest);
        Assert.Equal(0, consumer.QueryWatermarkOffsets(partition, AdminTestKit.Timeout).Low.Value);

        await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [resource] = [new ConfigEntry { Name = "retention.bytes", Value = "1", IncrementalOperation = AlterConfigOpType.Set }],
        });

        Assert.Equal("1", Assert.Single(await admin.DescribeConfigsAsync([resource])).Entries["retention.bytes"].Value);
        var deadline = DateTime.UtcNow + AdminTestKit.Timeout;
        long low = 0;
        while (low == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            low = consumer.QueryWatermarkOffsets(partition, AdminTestKit.Timeout).Low.Value;
        }

        // Every closed segment is gone; the active one (holding the newest records) stays.
        Assert.InRange(low, 1, 39);
    }
}
