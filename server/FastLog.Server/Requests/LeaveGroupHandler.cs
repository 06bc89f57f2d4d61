using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>LeaveGroup (key 13), v0-5: one member before v3, a batch of members (by id and/or group.instance.id) from v3.</summary>
internal sealed class LeaveGroupHandler : IApiHandler
{
    private const short FirstBatchedVersion = 3;

    public ApiKey ApiKey => ApiKey.LeaveGroup;

    public short MinVersion => 0;

    public short MaxVersion => 5;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var leave = (LeaveGroupRequest)request;
        var groups = context.Broker.Groups;
        var response = new LeaveGroupResponse();
        if (context.ApiVersion < FirstBatchedVersion)
        {
            var single = groups.LeaveGroup(leave.GroupId, [(leave.MemberId, null)]);
            response.ErrorCode = (short)(single.Error != ErrorCode.None ? single.Error : single.MemberErrors[0]);
            return ValueTask.FromResult<IKafkaMessage?>(response);
        }

        var members = leave.Members.Select(m => (m.MemberId, m.GroupInstanceId)).ToList();
        var result = groups.LeaveGroup(leave.GroupId, members);
        response.ErrorCode = (short)result.Error;
        for (int i = 0; i < members.Count; i++)
        {
            response.Members.Add(new LeaveGroupResponse.MemberResponse
            {
                MemberId = members[i].MemberId,
                GroupInstanceId = members[i].GroupInstanceId,
                ErrorCode = (short)result.MemberErrors[i],
            });
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
