using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>SyncGroup (key 14), v0-5: the leader sends every member's assignment; each member gets its own. v5 echoes protocol type and name.</summary>
internal sealed class SyncGroupHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.SyncGroup;

    public short MinVersion => 0;

    public short MaxVersion => 5;

    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var sync = (SyncGroupRequest)request;
        var assignments = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var a in sync.Assignments)
        {
            assignments[a.MemberId] = a.Assignment;
        }

        var result = await context.Broker.Groups.SyncGroupAsync(
            sync.GroupId,
            sync.GenerationId,
            sync.MemberId,
            context.ApiVersion >= 3 ? sync.GroupInstanceId : null,
            context.ApiVersion >= 5 ? sync.ProtocolType : null,
            context.ApiVersion >= 5 ? sync.ProtocolName : null,
            assignments).ConfigureAwait(false);
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Assignment = result.Assignment,
        };
    }
}
