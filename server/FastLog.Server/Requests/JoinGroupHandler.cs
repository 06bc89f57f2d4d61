using System.Net;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Coordinator;

namespace FastLog.Server.Requests;

/// <summary>
/// JoinGroup (key 11), v0-9. Advertised from v0: old librdkafka gates features on it. v0 has no
/// rebalance timeout (the session timeout stands in); MEMBER_ID_REQUIRED is only used from v4.
/// </summary>
internal sealed class JoinGroupHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.JoinGroup;

    public short MinVersion => 0;

    public short MaxVersion => 9;

    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var join = (JoinGroupRequest)request;
        var parameters = new JoinGroupParams(
            join.GroupId,
            join.MemberId,
            context.ApiVersion >= 5 ? join.GroupInstanceId : null,
            context.Header.ClientId ?? string.Empty,
            ClientHost(context),
            join.SessionTimeoutMs,
            context.ApiVersion >= 1 && join.RebalanceTimeoutMs > 0 ? join.RebalanceTimeoutMs : join.SessionTimeoutMs,
            join.ProtocolType,
            join.Protocols.Select(p => new GroupProtocol(p.Name, p.Metadata)).ToList(),
            context.ApiVersion);
        var result = await context.Broker.Groups.JoinGroupAsync(parameters).ConfigureAwait(false);
        bool ok = result.Error == ErrorCode.None;
        var response = new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = ok ? result.GenerationId : -1,
            ProtocolType = ok ? result.ProtocolType : null,

            // Before v7 the protocol name is not nullable.
            ProtocolName = ok ? result.ProtocolName ?? string.Empty : context.ApiVersion >= 7 ? null : string.Empty,
            Leader = result.LeaderId,
            SkipAssignment = result.SkipAssignment,
            MemberId = result.MemberId,
        };
        foreach (var m in result.Members)
        {
            response.Members.Add(new JoinGroupResponse.JoinGroupResponseMember { MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, Metadata = m.Metadata });
        }

        return response;
    }

    /// <summary>Kafka reports the client's address as "/ip".</summary>
    internal static string ClientHost(RequestContext context) =>
        context.Connection.RemoteEndPoint is IPEndPoint ip ? "/" + ip.Address : string.Empty;
}
