using FastLog.Client.Cluster;
using FastLog.Client.Configuration;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLog.Client.Tests.Core;

public sealed class ClusterConnectionsTests
{
    /// <summary>Only catches a call that never returns; not a speed check.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Connection_per_node_is_reused_and_replaced_after_it_fails()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var cluster = new ClusterConnections(new KafkaClientOptions { BootstrapServers = broker.BootstrapServers }, NullLogger.Instance);

        KafkaConnection any = await cluster.GetAnyAsync(default).WaitAsync(HangGuard);
        int nodeId = Assert.Single(cluster.Metadata.Current.Brokers.Keys);
        KafkaConnection first = await cluster.GetAsync(nodeId, default);
        Assert.Same(any, first);
        Assert.Same(first, await cluster.GetAsync(nodeId, default));

        await first.DisposeAsync();
        KafkaConnection second = await cluster.GetAsync(nodeId, default).WaitAsync(HangGuard);
        Assert.NotSame(first, second);
        Assert.True(second.IsConnected);
        var response = await second.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, 9);
        Assert.Single(response.Brokers);
    }

    [Fact]
    public async Task Coordinator_of_a_group_is_this_broker()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var cluster = new ClusterConnections(new KafkaClientOptions { BootstrapServers = broker.BootstrapServers }, NullLogger.Instance);

        int coordinator = await cluster.FindCoordinatorAsync("orders-group", keyType: 0, default).WaitAsync(HangGuard);

        Assert.Equal(Assert.Single(cluster.Metadata.Current.Brokers.Keys), coordinator);
        Assert.True((await cluster.GetAsync(coordinator, default)).IsConnected);
    }

    [Fact]
    public async Task Unknown_node_is_a_clear_error()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var cluster = new ClusterConnections(new KafkaClientOptions { BootstrapServers = broker.BootstrapServers }, NullLogger.Instance);

        var error = await Assert.ThrowsAsync<KafkaException>(() => cluster.GetAsync(4242, default).WaitAsync(HangGuard));
        Assert.Equal(ErrorCode.BrokerNotAvailable, error.Error);
        Assert.Contains("4242", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leader_of_a_missing_topic_is_unknown_topic()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions
        {
            Settings = new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" },
        });
        await using var cluster = new ClusterConnections(new KafkaClientOptions { BootstrapServers = broker.BootstrapServers }, NullLogger.Instance);

        var error = await Assert.ThrowsAsync<KafkaException>(() => cluster.GetLeaderAsync("no-such-topic", 0, default).WaitAsync(HangGuard));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
    }
}
