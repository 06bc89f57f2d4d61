using System.Net;
using System.Net.Sockets;
using FastLog.Client.Admin;
using FastLog.Protocol;
using static FastLog.Client.Tests.Admin.AdminTestKit;

namespace FastLog.Client.Tests.Admin;

public sealed class ClusterAdminTests
{
    [Fact]
    public async Task Describe_cluster_names_the_cluster_its_controller_and_brokers()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);

        ClusterDescription cluster = await admin.DescribeClusterAsync().WaitAsync(HangGuard);

        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
        BrokerNode node = Assert.Single(cluster.Brokers);
        Assert.Equal(broker.Config.NodeId, node.NodeId);
        Assert.Equal(broker.BootstrapServers, node.Address.ToString());
        Assert.Equal(node, cluster.Controller);
    }

    [Fact]
    public async Task An_unreachable_cluster_fails_with_a_network_error_once_the_request_timeout_is_spent()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var admin = new KafkaAdminClient(new AdminOptions
        {
            BootstrapServers = $"127.0.0.1:{port}",
            RequestTimeout = TimeSpan.FromMilliseconds(500),
            RetryBackoff = TimeSpan.FromMilliseconds(50),
        });

        var e = await Assert.ThrowsAsync<KafkaException>(() => admin.DescribeClusterAsync().WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.NetworkException, e.Error);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_read_kafka_keys_and_reject_unknown_ones()
    {
        AdminOptions options = AdminOptions.FromConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "a:1,b:2",
            ["client.id"] = "ops",
            ["request.timeout.ms"] = "1500",
            ["retry.backoff.ms"] = "20",
        });

        Assert.Equal("a:1,b:2", options.BootstrapServers);
        Assert.Equal("ops", options.ClientId);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.RetryBackoff);
        var unknown = Assert.Throws<ArgumentException>(() => AdminOptions.FromConfig(new Dictionary<string, string> { ["linger.ms"] = "5" }));
        Assert.Contains("linger.ms", unknown.Message, StringComparison.Ordinal);
    }
}
