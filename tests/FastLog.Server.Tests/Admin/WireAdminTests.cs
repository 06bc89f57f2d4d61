using FastLog.Server.Tests.Support;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Tests.Admin;

/// <summary>
/// The admin APIs at versions Confluent.Kafka does not send (librdkafka stops at CreateTopics v4,
/// DescribeConfigs v1, DeleteTopics v4 and uses Metadata for DescribeCluster), with hand-built requests.
/// </summary>
public sealed class WireAdminTests
{
    private static CreateTopicsRequest.CreatableTopic Topic(string name, int partitions, short replicationFactor) =>
        new() { Name = name, NumPartitions = partitions, ReplicationFactor = replicationFactor };

    [Fact]
    public async Task ApiVersions_advertises_every_admin_api()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var wire = await WireClient.ConnectAsync(broker.LocalEndPoint);

        var versions = await wire.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        var ranges = versions.ApiKeys.ToDictionary(k => (ApiKey)k.ApiKey, k => (k.MinVersion, k.MaxVersion));
        Assert.Equal(((short)2, (short)7), ranges[ApiKey.CreateTopics]);
        Assert.Equal(((short)1, (short)6), ranges[ApiKey.DeleteTopics]);
        Assert.Equal(((short)0, (short)2), ranges[ApiKey.DeleteRecords]);
        Assert.Equal(((short)1, (short)4), ranges[ApiKey.DescribeConfigs]);
        Assert.Equal(((short)0, (short)2), ranges[ApiKey.AlterConfigs]);
        Assert.Equal(((short)0, (short)3), ranges[ApiKey.CreatePartitions]);
        Assert.Equal(((short)0, (short)1), ranges[ApiKey.IncrementalAlterConfigs]);
        Assert.Equal(((short)0, (short)1), ranges[ApiKey.DescribeCluster]);
    }

    [Fact]
    public async Task CreateTopics_v2_takes_a_single_node_assignment_and_refuses_others_and_duplicates()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var wire = await WireClient.ConnectAsync(broker.LocalEndPoint);
        var assigned = Topic("assigned", -1, -1);
        assigned.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [1] });
        assigned.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 1, BrokerIds = [1] });
        var elsewhere = Topic("elsewhere", -1, -1);
        elsewhere.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [2] });
        var both = Topic("both", 2, 1);
        both.Assignments.Add(new CreateTopicsRequest.CreatableReplicaAssignment { PartitionIndex = 0, BrokerIds = [1] });
        var request = new CreateTopicsRequest { Topics = [assigned, elsewhere, both, Topic("twice", 1, 1), Topic("twice", 2, 1)] };

        var response = await wire.SendAsync<CreateTopicsResponse>(request, 2);

        var results = response.Topics.ToDictionary(t => t.Name);
        Assert.Equal(4, response.Topics.Count);
        Assert.Equal((short)ErrorCode.None, results["assigned"].ErrorCode);
        Assert.Null(results["assigned"].ErrorMessage);
        Assert.Equal((short)ErrorCode.InvalidReplicaAssignment, results["elsewhere"].ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, results["both"].ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRequest, results["twice"].ErrorCode);
        Assert.NotNull(results["twice"].ErrorMessage);
        var metadata = await wire.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 1);
        Assert.Equal(["assigned"], metadata.Topics.Select(t => t.Name));
        Assert.Equal(2, metadata.Topics[0].Partitions.Count);
    }

    [Fact]
    public async Task CreateTopics_v7_answers_with_the_topic_id_counts_and_configs_in_force()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync(new Dictionary<string, string> { ["num.partitions"] = "2", ["log.segment.bytes"] = "1048576" });
        using var wire = await WireClient.ConnectAsync(broker.LocalEndPoint);
        var topic = Topic("described", -1, -1);
        topic.Configs.Add(new CreateTopicsRequest.CreatableTopicConfig { Name = "retention.ms", Value = "1000" });

        var created = Assert.Single((await wire.SendAsync<CreateTopicsResponse>(new CreateTopicsRequest { Topics = [topic] }, 7)).Topics);
        var dryRun = Assert.Single((await wire.SendAsync<CreateTopicsResponse>(new CreateTopicsRequest { Topics = [Topic("dry", 3, 1)], validateOnly = true }, 7)).Topics);

        Assert.Equal((short)ErrorCode.None, created.ErrorCode);
        Assert.Equal((2, (short)1), (created.NumPartitions, created.ReplicationFactor));
        var metadata = await wire.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "described" }] }, 12);
        Assert.Equal(metadata.Topics[0].TopicId, created.TopicId);
        Assert.NotEqual(Guid.Empty, created.TopicId);
        var configs = created.Configs!.ToDictionary(c => c.Name);
        Assert.Equal(("1000", (sbyte)1), (configs["retention.ms"].Value, configs["retention.ms"].ConfigSource));
        Assert.Equal(("1048576", (sbyte)4), (configs["segment.bytes"].Value, configs["segment.bytes"].ConfigSource));
        Assert.Equal(("delete", (sbyte)5), (configs["cleanup.policy"].Value, configs["cleanup.policy"].ConfigSource));
        Assert.All(configs.Values, c => Assert.False(c.ReadOnly || c.IsSensitive));
        Assert.Equal((short)ErrorCode.None, dryRun.ErrorCode);
        Assert.Equal(3, dryRun.NumPartitions);
        Assert.Equal(Guid.Empty, dryRun.TopicId);
    }

    [Fact]
    public async Task DescribeConfigs_v1_and_v4_describe_topics_and_this_broker_with_Kafka_refusals()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var wire = await WireClient.ConnectAsync(broker.LocalEndPoint);
        await wire.SendAsync<CreateTopicsResponse>(new CreateTopicsRequest { Topics = [Topic("configured", 1, 1)] }, 2);
        static DescribeConfigsRequest.DescribeConfigsResource Resource(sbyte type, string name, List<string>? keys = null) =>
            new() { ResourceType = type, ResourceName = name, ConfigurationKeys = keys };
        var request = new DescribeConfigsRequest
        {
            Resources = [Resource(2, "configured", ["retention.ms", "cleanup.policy", "no.such.key"]), Resource(4, "1"), Resource(4, ""), Resource(4, "7"), Resource(2, "absent"), Resource(8, "1"), Resource(2, "configured", [])],
            IncludeSynonyms = true,
            IncludeDocumentation = true,
        };

        var v1 = await wire.SendAsync<DescribeConfigsResponse>(request, 1);
        var v4 = await wire.SendAsync<DescribeConfigsResponse>(request, 4);

        foreach (var response in new[] { v1, v4 })
        {
            Assert.Equal(7, response.Results.Count);
            var topic = response.Results[0];
            Assert.Equal((short)ErrorCode.None, topic.ErrorCode);
            Assert.Equal(["cleanup.policy", "retention.ms"], topic.Configs.Select(c => c.Name));
            var retention = topic.Configs[1];
            Assert.Equal(("604800000", (sbyte)5, false), (retention.Value, retention.ConfigSource, retention.ReadOnly));
            Assert.Equal(("log.retention.hours", "168", (sbyte)5), (retention.Synonyms[^1].Name, retention.Synonyms[^1].Value, retention.Synonyms[^1].Source));
            var brokerConfigs = response.Results[1];
            Assert.Equal((short)ErrorCode.None, brokerConfigs.ErrorCode);
            Assert.Contains(brokerConfigs.Configs, c => c.Name == "log.dirs" && c.ConfigSource == 4 && c.ReadOnly);
            Assert.Contains(brokerConfigs.Configs, c => c.Name == "num.partitions" && c.Value == "1" && c.ConfigSource == 5);
            Assert.Equal((short)ErrorCode.None, response.Results[2].ErrorCode);
            Assert.Empty(response.Results[2].Configs);
            Assert.Equal((short)ErrorCode.InvalidRequest, response.Results[3].ErrorCode);
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.Results[4].ErrorCode);
            Assert.Equal((short)ErrorCode.InvalidRequest, response.Results[5].ErrorCode);
            Assert.Contains(response.Results[6].Configs, c => c.Name == "segment.bytes");
            Assert.Equal(response.Results[6].Configs.Count, response.Results[6].Configs.Select(c => c.Name).Distinct().Count());
        }

        // v3+ adds the type and the documentation.
        Assert.Equal((sbyte)7, v4.Results[0].Configs[0].ConfigType);
        Assert.Equal((sbyte)5, v4.Results[0].Configs[1].ConfigType);
        Assert.False(string.IsNullOrEmpty(v4.Results[0].Configs[1].Documentation));
    }

    [Fact]
    public async Task DeleteTopics_v6_deletes_by_topic_id()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var wire = await WireClient.ConnectAsync(broker.LocalEndPoint);
        var created = Assert.Single((await wire.SendAsync<CreateTopicsResponse>(new CreateTopicsRequest { Topics = [Topic("by-id", 1, 1)] }, 7)).Topics);
        var unknownId = Guid.NewGuid();

        var response = await wire.SendAsync<DeleteTopicsResponse>(new DeleteTopicsRequest
        {
            Topics = [new DeleteTopicsRequest.DeleteTopicState { TopicId = created.TopicId }, new DeleteTopicsRequest.DeleteTopicState { TopicId = unknownId }],
        }, 6);

        Assert.Equal(("by-id", created.TopicId, (short)0), (response.Responses[0].Name, response.Responses[0].TopicId, response.Responses[0].ErrorCode));
        Assert.Equal((null, unknownId, (short)ErrorCode.UnknownTopicId), (response.Responses[1].Name, response.Responses[1].TopicId, response.Responses[1].ErrorCode));
        var metadata = await wire.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 12);
        Assert.Empty(metadata.Topics);
    }

    [Fact]
    public async Task DescribeCluster_v0_and_v1_describe_this_broker()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var wire = await WireClient.ConnectAsync(broker.LocalEndPoint);

        var v0 = await wire.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { IncludeClusterAuthorizedOperations = true }, 0);
        var v1 = await wire.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest(), 1);
        var controllers = await wire.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest { EndpointType = 2 }, 1);

        foreach (var response in new[] { v0, v1 })
        {
            Assert.Equal((short)0, response.ErrorCode);
            Assert.False(string.IsNullOrEmpty(response.ClusterId));
            Assert.Equal(1, response.ControllerId);
            var node = Assert.Single(response.Brokers);
            Assert.Equal((1, broker.LocalEndPoint.Port), (node.BrokerId, node.Port));
        }

        Assert.NotEqual(int.MinValue, v0.ClusterAuthorizedOperations);
        Assert.Equal(int.MinValue, v1.ClusterAuthorizedOperations);
        Assert.Equal((short)ErrorCode.MismatchedEndpointType, controllers.ErrorCode);
    }

    [Fact]
    public async Task DeleteRecords_v2_moves_the_log_start_offset()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var wire = await WireClient.ConnectAsync(broker.LocalEndPoint);
        await wire.SendAsync<CreateTopicsResponse>(new CreateTopicsRequest { Topics = [Topic("wire-trim", 1, 1)] }, 2);
        await AdminTestKit.ProduceAsync(broker, "wire-trim", 6);

        var response = await wire.SendAsync<DeleteRecordsResponse>(new DeleteRecordsRequest
        {
            Topics = [new DeleteRecordsRequest.DeleteRecordsTopic { Name = "wire-trim", Partitions = [new() { PartitionIndex = 0, Offset = 3 }, new() { PartitionIndex = 1, Offset = 0 }] }],
        }, 2);

        var partitions = Assert.Single(response.Topics).Partitions;
        Assert.Equal((0, 3L, (short)0), (partitions[0].PartitionIndex, partitions[0].LowWatermark, partitions[0].ErrorCode));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, partitions[1].ErrorCode);
        var offsets = await wire.SendAsync<ListOffsetsResponse>(new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = "wire-trim", Partitions = [new() { PartitionIndex = 0, Timestamp = -2 }] }],
        }, 1);
        Assert.Equal(3, offsets.Topics[0].Partitions[0].Offset);
    }
}
