using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>OffsetDelete (key 47), v0: deletes a group's committed offsets for partitions its members are not subscribed to.</summary>
internal sealed class OffsetDeleteHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.OffsetDelete;

    public short MinVersion => 0;

    public short MaxVersion => 0;

    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var delete = (OffsetDeleteRequest)request;
        var partitions = delete.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex))).ToList();
        var (error, errors) = await context.Broker.Groups.DeleteOffsetsAsync(delete.GroupId, partitions).ConfigureAwait(false);
        var response = new OffsetDeleteResponse { ErrorCode = (short)error };
        if (error != ErrorCode.None)
        {
            return response;
        }

        int i = 0;
        foreach (var topic in delete.Topics)
        {
            var answer = new OffsetDeleteResponse.OffsetDeleteResponseTopic { Name = topic.Name };
            response.Topics.Add(answer);
            foreach (var p in topic.Partitions)
            {
                answer.Partitions.Add(new OffsetDeleteResponse.OffsetDeleteResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)errors[i++] });
            }
        }

        return response;
    }
}
