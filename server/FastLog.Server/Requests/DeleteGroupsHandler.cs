using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>DeleteGroups (key 42), v0-2: only empty groups (NON_EMPTY_GROUP otherwise); unknown ones are GROUP_ID_NOT_FOUND.</summary>
internal sealed class DeleteGroupsHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.DeleteGroups;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var delete = (DeleteGroupsRequest)request;
        var response = new DeleteGroupsResponse();
        foreach (string groupId in delete.GroupsNames)
        {
            var error = await context.Broker.Groups.DeleteGroupAsync(groupId).ConfigureAwait(false);
            response.Results.Add(new DeleteGroupsResponse.DeletableGroupResult { GroupId = groupId, ErrorCode = (short)error });
        }

        return response;
    }
}
