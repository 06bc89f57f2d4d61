using System.Net;
using System.Net.Sockets;
using FastLog.Protocol;
using FastLog.Server.Broker;

namespace FastLog.Client.Tests;

public sealed class MetadataCacheTests
{
    /// <summary>Only catches a call that never returns (the client must not wait forever); not a speed check.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    private static FastLogBrokerOptions ThreePartitions() =>
        new() { Settings = new Dictionary<string, string> { ["num.partitions"] = "3" } };

    [Fact]
    public async Task Auto_created_topic_has_partitions_with_a_known_leader()
    {
        await using var broker = await FastLogBroker.StartAsync(ThreePartitions());
        await using var cache = new MetadataCache(broker.BootstrapServers);

        ClusterMetadata metadata = await cache.RefreshAsync(["orders"], allowAutoTopicCreation: true);
        // A broker may report a topic it is still creating as LEADER_NOT_AVAILABLE; ask again until it is ready.
        for (int attempt = 0; attempt < 50 && metadata.Topics["orders"].Error != ErrorCode.None; attempt++)
        {
            await Task.Delay(100);
            metadata = await cache.RefreshAsync(["orders"]);
        }

        TopicMetadata topic = metadata.Topics["orders"];
        Assert.Equal(ErrorCode.None, topic.Error);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.Partition));
        BrokerNode node = Assert.Single(metadata.Brokers.Values);
        Assert.Equal(BrokerAddress.Parse(broker.BootstrapServers).Port, node.Port);
        foreach (PartitionMetadata partition in topic.Partitions)
        {
            Assert.Equal(ErrorCode.None, partition.Error);
            Assert.Equal(node.NodeId, partition.LeaderId);
            Assert.Equal(node, metadata.LeaderFor("orders", partition.Partition));
        }

        Assert.Null(metadata.LeaderFor("orders", 3));
        Assert.Null(metadata.LeaderFor("absent", 0));
        Assert.Same(metadata, cache.Current);
    }

    [Fact]
    public async Task Missing_topic_without_auto_creation_reports_unknown_topic_and_other_topics_are_kept()
    {
        await using var broker = await FastLogBroker.StartAsync(ThreePartitions());
        await using var cache = new MetadataCache(broker.BootstrapServers);
        await cache.RefreshAsync(["first"], allowAutoTopicCreation: true);

        ClusterMetadata metadata = await cache.RefreshAsync(["never-created"]);

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, metadata.Topics["never-created"].Error);
        Assert.True(metadata.Topics.ContainsKey("first"));
    }

    [Fact]
    public async Task Refresh_of_all_topics_lists_the_cluster()
    {
        await using var broker = await FastLogBroker.StartAsync(ThreePartitions());
        await using var cache = new MetadataCache(broker.BootstrapServers);
        await cache.RefreshAsync(["a", "b"], allowAutoTopicCreation: true);

        ClusterMetadata metadata = await cache.RefreshAsync();

        Assert.Contains("a", metadata.Topics.Keys);
        Assert.Contains("b", metadata.Topics.Keys);
        Assert.NotEmpty(metadata.Brokers);
    }

    [Fact]
    public async Task Unreachable_bootstrap_servers_fail_with_a_clear_network_error()
    {
        int[] ports = new int[2];
        for (int i = 0; i < ports.Length; i++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            ports[i] = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var cache = new MetadataCache(
            $"127.0.0.1:{ports[0]}, 127.0.0.1:{ports[1]}",
            new KafkaConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(2) });
        var error = await Assert.ThrowsAsync<KafkaException>(() => cache.RefreshAsync(["t"]).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.NetworkException, error.Error);
        Assert.Contains($"127.0.0.1:{ports[0]}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{ports[1]}", error.Message, StringComparison.Ordinal);
        Assert.Same(ClusterMetadata.Empty, cache.Current);
    }

    [Fact]
    public async Task Refresh_honours_cancellation()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var cache = new MetadataCache(broker.BootstrapServers);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.RefreshAsync(["t"], cancellationToken: new CancellationToken(canceled: true)));
        // Still usable afterwards.
        Assert.NotEmpty((await cache.RefreshAsync()).Brokers);
    }

    [Fact]
    public async Task Reconnects_to_another_bootstrap_server_when_the_first_is_down()
    {
        int deadPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var cache = new MetadataCache($"127.0.0.1:{deadPort},{broker.BootstrapServers}");
        Assert.NotEmpty((await cache.RefreshAsync()).Brokers);
    }

    [Theory]
    [InlineData("localhost:9092", "localhost", 9092)]
    [InlineData(" 10.0.0.1:1 ", "10.0.0.1", 1)]
    [InlineData("[::1]:9093", "::1", 9093)]
    public void Parses_bootstrap_entries(string text, string host, int port)
    {
        BrokerAddress address = Assert.Single(BrokerAddress.ParseList(text));
        Assert.Equal(new BrokerAddress(host, port), address);
    }

    [Fact]
    public void Parses_a_comma_separated_list_in_order() =>
        Assert.Equal(
            [new BrokerAddress("a", 1), new BrokerAddress("b", 2)],
            BrokerAddress.ParseList("a:1,b:2"));

    [Theory]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("nohost")]
    [InlineData("host:")]
    [InlineData(":9092")]
    [InlineData("host:port")]
    [InlineData("host:70000")]
    [InlineData("::1:9092")]
    public void Rejects_malformed_bootstrap_servers(string text) =>
        Assert.Throws<ArgumentException>(() => new MetadataCache(text));
}
