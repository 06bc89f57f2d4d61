using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>Heartbeat (key 12), v0-4: keeps the member's session; REBALANCE_IN_PROGRESS tells it to rejoin.</summary>
internal sealed class HeartbeatHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.Heartbeat;

    public short MinVersion => 0;

    public short MaxVersion => 4;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var heartbeat = (HeartbeatRequest)request;
        var error = context.Broker.Groups.Heartbeat(heartbeat.GroupId, heartbeat.MemberId, context.ApiVersion >= 3 ? heartbeat.GroupInstanceId : null, heartbeat.GenerationId);
        return ValueTask.FromResult<IKafkaMessage?>(new HeartbeatResponse { ErrorCode = (short)error });
    }
}
