using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>ListGroups (key 16), v0-5: v4 filters by state (case-insensitive), v5 by type (every group here is "classic").</summary>
internal sealed class ListGroupsHandler : IApiHandler
{
    private const string ClassicType = "classic";

    public ApiKey ApiKey => ApiKey.ListGroups;

    public short MinVersion => 0;

    public short MaxVersion => 5;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var list = (ListGroupsRequest)request;
        var response = new ListGroupsResponse();
        var states = context.ApiVersion >= 4 ? list.StatesFilter : [];
        var types = context.ApiVersion >= 5 ? list.TypesFilter : [];
        if (types.Count > 0 && !types.Contains(ClassicType, StringComparer.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult<IKafkaMessage?>(response);
        }

        foreach (var group in context.Broker.Groups.ListGroups())
        {
            string state = group.State.ToString();
            if (states.Count > 0 && !states.Contains(state, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            response.Groups.Add(new ListGroupsResponse.ListedGroup { GroupId = group.GroupId, ProtocolType = group.ProtocolType, GroupState = state, GroupType = ClassicType });
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
