using FastLog.Client.Admin;
using FastLog.Protocol;
using static FastLog.Client.Tests.Admin.AdminTestKit;

namespace FastLog.Client.Tests.Admin;

public sealed class ConfigAdminTests
{
    [Fact]
    public async Task Topic_configs_show_overrides_and_defaults_with_their_sources_and_synonyms()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 1) { Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" } }]);

        var described = await admin.DescribeConfigsAsync([ConfigResource.Topic("t")], includeSynonyms: true).WaitAsync(HangGuard);

        IReadOnlyList<ConfigEntry> entries = described[ConfigResource.Topic("t")];
        Assert.Equal(entries.Select(e => e.Name).Order(StringComparer.Ordinal), entries.Select(e => e.Name));
        ConfigEntry policy = Assert.Single(entries, e => e.Name == "cleanup.policy");
        Assert.Equal("compact", policy.Value);
        Assert.Equal(ConfigSource.DynamicTopicConfig, policy.Source);
        Assert.False(policy.IsReadOnly);
        Assert.False(policy.IsDefault);
        Assert.Equal(ConfigSource.DynamicTopicConfig, policy.Synonyms[0].Source);
        Assert.Contains(policy.Synonyms, s => s.Source == ConfigSource.DefaultConfig && s.Value == "delete");
        ConfigEntry retention = Assert.Single(entries, e => e.Name == "retention.ms");
        Assert.True(retention.IsDefault);
        Assert.False(retention.IsSensitive);
    }

    [Fact]
    public async Task Broker_configs_are_read_only_and_come_from_that_broker()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        int node = (await admin.DescribeClusterAsync()).ControllerId;

        var described = await admin.DescribeConfigsAsync([ConfigResource.Broker(node)]).WaitAsync(HangGuard);

        IReadOnlyList<ConfigEntry> entries = described[ConfigResource.Broker(node)];
        ConfigEntry partitions = Assert.Single(entries, e => e.Name == "num.partitions");
        Assert.Equal("3", partitions.Value);
        Assert.Equal(ConfigSource.StaticBrokerConfig, partitions.Source);
        Assert.All(entries, e => Assert.True(e.IsReadOnly));
        Assert.Empty(entries[0].Synonyms);
    }

    [Fact]
    public async Task Incremental_alter_sets_deletes_appends_and_subtracts_leaving_other_overrides_alone()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 1) { Configs = new Dictionary<string, string> { ["segment.bytes"] = "1048576" } }]);
        var topic = ConfigResource.Topic("t");

        await admin.IncrementalAlterConfigsAsync(topic, [AlterConfigOp.Set("retention.ms", "1000"), new AlterConfigOp("cleanup.policy", AlterConfigOpType.Append, "compact")]).WaitAsync(HangGuard);
        IReadOnlyList<ConfigEntry> afterSet = (await admin.DescribeConfigsAsync([topic]))[topic];
        await admin.IncrementalAlterConfigsAsync(topic, [AlterConfigOp.Delete("retention.ms"), new AlterConfigOp("cleanup.policy", AlterConfigOpType.Subtract, "delete")]).WaitAsync(HangGuard);
        IReadOnlyList<ConfigEntry> afterDelete = (await admin.DescribeConfigsAsync([topic]))[topic];

        Assert.Equal("1000", Value(afterSet, "retention.ms"));
        Assert.Equal("delete,compact", Value(afterSet, "cleanup.policy"));
        Assert.Equal("1048576", Value(afterSet, "segment.bytes"));
        Assert.True(afterDelete.Single(e => e.Name == "retention.ms").IsDefault);
        Assert.Equal("compact", Value(afterDelete, "cleanup.policy"));
        Assert.Equal("1048576", Value(afterDelete, "segment.bytes"));
    }

    [Fact]
    public async Task Validate_only_alter_changes_nothing()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 1)]);
        var topic = ConfigResource.Topic("t");

        await admin.IncrementalAlterConfigsAsync(topic, [AlterConfigOp.Set("retention.ms", "1000")], validateOnly: true).WaitAsync(HangGuard);

        Assert.True((await admin.DescribeConfigsAsync([topic]))[topic].Single(e => e.Name == "retention.ms").IsDefault);
    }

    [Fact]
    public async Task Legacy_alter_replaces_every_override()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 1) { Configs = new Dictionary<string, string> { ["segment.bytes"] = "1048576" } }]);
        var topic = ConfigResource.Topic("t");

        await admin.AlterConfigsAsync(topic, new Dictionary<string, string> { ["retention.ms"] = "5000" }).WaitAsync(HangGuard);

        IReadOnlyList<ConfigEntry> entries = (await admin.DescribeConfigsAsync([topic]))[topic];
        Assert.Equal("5000", Value(entries, "retention.ms"));
        Assert.True(entries.Single(e => e.Name == "segment.bytes").IsDefault);
    }

    [Fact]
    public async Task Bad_values_unknown_topics_and_broker_changes_are_refused_with_clear_messages()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 1)]);
        int node = (await admin.DescribeClusterAsync()).ControllerId;

        var badValue = await Assert.ThrowsAsync<KafkaException>(() => admin.IncrementalAlterConfigsAsync(ConfigResource.Topic("t"), [AlterConfigOp.Set("retention.ms", "later")]).WaitAsync(HangGuard));
        var notList = await Assert.ThrowsAsync<KafkaException>(() => admin.IncrementalAlterConfigsAsync(ConfigResource.Topic("t"), [new AlterConfigOp("retention.ms", AlterConfigOpType.Append, "1")]).WaitAsync(HangGuard));
        var unknownTopic = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeConfigsAsync([ConfigResource.Topic("missing")]).WaitAsync(HangGuard));
        var brokerChange = await Assert.ThrowsAsync<KafkaException>(() => admin.IncrementalAlterConfigsAsync(ConfigResource.Broker(node), [AlterConfigOp.Set("num.partitions", "7")]).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.InvalidConfig, badValue.Error);
        Assert.StartsWith("Topic 't': invalid config", badValue.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidConfig, notList.Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, unknownTopic.Error);
        Assert.Equal("Topic 'missing' does not exist.", unknownTopic.Message);
        Assert.Equal(ErrorCode.InvalidRequest, brokerChange.Error);
        Assert.StartsWith($"Broker {node}: the broker refused the request", brokerChange.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_resource_must_be_named_by_a_node_id()
    {
        await using var admin = new KafkaAdminClient(new AdminOptions { BootstrapServers = "127.0.0.1:1" });

        await Assert.ThrowsAsync<ArgumentException>(() => admin.DescribeConfigsAsync([new ConfigResource(ConfigResourceType.Broker, "first")]));
    }

    private static string? Value(IReadOnlyList<ConfigEntry> entries, string name) => entries.Single(e => e.Name == name).Value;
}
