using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// FindCoordinator (key 10), v0-4: on a single node this broker coordinates every group. Transaction
/// coordinators (key type 1) are not available: transactions are not served yet. Advertised from v0
/// because old librdkafka gates its group and lz4 features on FindCoordinator v0.
/// </summary>
internal sealed class FindCoordinatorHandler : IApiHandler
{
    private const sbyte GroupKeyType = 0;

    public ApiKey ApiKey => ApiKey.FindCoordinator;

    public short MinVersion => 0;

    public short MaxVersion => 4;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var find = (FindCoordinatorRequest)request;
        var broker = context.Broker;
        bool available = find.KeyType == GroupKeyType;
        var error = available ? ErrorCode.None : ErrorCode.CoordinatorNotAvailable;
        var response = new FindCoordinatorResponse();
        if (context.ApiVersion < 4)
        {
            response.ErrorCode = (short)error;
            response.NodeId = available ? broker.NodeId : -1;
            response.Host = available ? broker.AdvertisedHost : string.Empty;
            response.Port = available ? broker.AdvertisedPort : -1;
            return ValueTask.FromResult<IKafkaMessage?>(response);
        }

        foreach (string key in find.CoordinatorKeys)
        {
            response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
            {
                Key = key,
                ErrorCode = (short)error,
                NodeId = available ? broker.NodeId : -1,
                Host = available ? broker.AdvertisedHost : string.Empty,
                Port = available ? broker.AdvertisedPort : -1,
            });
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
