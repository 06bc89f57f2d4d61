using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>DescribeGroups (key 15), v0-5: an unknown group is reported in state Dead without an error, as Kafka does before v6.</summary>
internal sealed class DescribeGroupsHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.DescribeGroups;

    public short MinVersion => 0;

    public short MaxVersion => 5;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var describe = (DescribeGroupsRequest)request;
        var response = new DescribeGroupsResponse();
        foreach (string groupId in describe.Groups)
        {
            var d = context.Broker.Groups.DescribeGroup(groupId);
            var group = new DescribeGroupsResponse.DescribedGroup
            {
                ErrorCode = (short)d.Error,
                GroupId = d.GroupId,
                GroupState = d.State.ToString(),
                ProtocolType = d.ProtocolType,
                ProtocolData = d.ProtocolName,
            };
            foreach (var m in d.Members)
            {
                group.Members.Add(new DescribeGroupsResponse.DescribedGroupMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = m.GroupInstanceId,
                    ClientId = m.ClientId,
                    ClientHost = m.ClientHost,
                    MemberMetadata = m.Metadata,
                    MemberAssignment = m.Assignment,
                });
            }

            response.Groups.Add(group);
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
