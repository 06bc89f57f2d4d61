using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Admin;

/// <summary>The cluster: id, controller and brokers.</summary>
public sealed partial class KafkaAdminClient
{
    /// <summary>
    /// Describes the cluster: its id, the controller and every broker. Uses DescribeCluster where the broker has it,
    /// Metadata otherwise.
    /// </summary>
    /// <exception cref="KafkaException">No broker could be reached (<see cref="ErrorCode.NetworkException"/>) before the request timeout.</exception>
    public async Task<ClusterDescription> DescribeClusterAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ClusterDescription> described = await RunAsync<string, ClusterDescription>(
            "DescribeCluster",
            ["cluster"],
            async (pending, ct) =>
            {
                KafkaConnection connection = await _cluster.GetAnyAsync(ct).ConfigureAwait(false);
                ItemOutcome<ClusterDescription> outcome;
                if (connection.BrokerApiVersions.ContainsKey(ApiKey.DescribeCluster))
                {
                    short version = connection.PickVersion(ApiKey.DescribeCluster, 0, 1);
                    var response = await connection.SendAsync<DescribeClusterResponse>(new DescribeClusterRequest(), version, ct).ConfigureAwait(false);
                    outcome = Outcome(response.ErrorCode, "Cluster", response.ErrorMessage, () => new ClusterDescription(
                        response.ClusterId,
                        response.ControllerId,
                        [.. response.Brokers.Select(b => new BrokerNode(b.BrokerId, b.Host, b.Port, b.Rack)).OrderBy(b => b.NodeId)]));
                }
                else
                {
                    ClusterMetadata metadata = await _cluster.RefreshAsync(null, ct).ConfigureAwait(false);
                    outcome = ItemOutcome<ClusterDescription>.Ok(new ClusterDescription(metadata.ClusterId, metadata.ControllerId, [.. metadata.Brokers.Values.OrderBy(b => b.NodeId)]));
                }

                return new Dictionary<string, ItemOutcome<ClusterDescription>> { ["cluster"] = outcome };
            },
            null,
            cancellationToken).ConfigureAwait(false);
        return described[0];
    }
}
