using Confluent.Kafka;

namespace FastLog.Server.Tests.Admin;

/// <summary>DescribeCluster through Confluent.Kafka (which asks with Metadata).</summary>
public sealed class ClusterAdminTests
{
    [Fact]
    public async Task DescribeCluster_reports_this_broker_as_the_only_node_and_the_controller()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);

        var cluster = await admin.DescribeClusterAsync();

        Assert.False(string.IsNullOrEmpty(cluster.ClusterId));
        var node = Assert.Single(cluster.Nodes);
        Assert.Equal(1, node.Id);
        Assert.Equal(broker.LocalEndPoint.Port, node.Port);
        Assert.Equal(1, cluster.Controller.Id);
    }
}
