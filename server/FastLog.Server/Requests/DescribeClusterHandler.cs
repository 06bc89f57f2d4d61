using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// DescribeCluster (key 60), v0-1: the cluster id, this broker (the only one) with its advertised
/// address, and the controller id (a KRaft broker reports a live broker there, here itself). v1
/// asks for an endpoint type: brokers (1) are served; a request for controllers (2) is
/// MISMATCHED_ENDPOINT_TYPE and any other type UNSUPPORTED_ENDPOINT_TYPE, as in Kafka.
/// </summary>
internal sealed class DescribeClusterHandler : IApiHandler
{
    private const sbyte BrokerEndpoints = 1;
    private const sbyte ControllerEndpoints = 2;

    /// <summary>
    /// The cluster operations Kafka reports when no authorizer is configured (everything the cluster
    /// resource supports): CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10,
    /// ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12, as a bit field of those operation codes.
    /// </summary>
    private const int AllClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

    public ApiKey ApiKey => ApiKey.DescribeCluster;

    public short MinVersion => 0;

    public short MaxVersion => 1;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var describe = (DescribeClusterRequest)request;
        if (describe.EndpointType != BrokerEndpoints)
        {
            var refused = describe.EndpointType == ControllerEndpoints
                ? new DescribeClusterResponse { ErrorCode = (short)ErrorCode.MismatchedEndpointType, ErrorMessage = "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER" }
                : new DescribeClusterResponse { ErrorCode = (short)ErrorCode.UnsupportedEndpointType, ErrorMessage = $"Unsupported endpoint type {describe.EndpointType}" };
            return ValueTask.FromResult<IKafkaMessage?>(refused);
        }

        var broker = context.Broker;
        var response = new DescribeClusterResponse
        {
            ClusterId = broker.ClusterId,
            ControllerId = broker.NodeId,
            Brokers = [new DescribeClusterResponse.DescribeClusterBroker { BrokerId = broker.NodeId, Host = broker.AdvertisedHost, Port = broker.AdvertisedPort }],
        };
        if (describe.IncludeClusterAuthorizedOperations)
        {
            response.ClusterAuthorizedOperations = AllClusterOperations;
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
