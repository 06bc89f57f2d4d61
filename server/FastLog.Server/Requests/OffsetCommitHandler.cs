using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Coordinator;

namespace FastLog.Server.Requests;

/// <summary>
/// OffsetCommit (key 8), v2-9: answered once the offsets are fsynced in __consumer_offsets. The v2-4
/// retention time is ignored (offsets.retention.minutes applies, as in Kafka 2.1+); v6+ carries the
/// leader epoch, v7+ the group.instance.id.
/// </summary>
internal sealed class OffsetCommitHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.OffsetCommit;

    public short MinVersion => 2;

    public short MaxVersion => 9;

    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var commit = (OffsetCommitRequest)request;
        var entries = new List<OffsetCommitEntry>();
        foreach (var topic in commit.Topics)
        {
            foreach (var p in topic.Partitions)
            {
                entries.Add(new OffsetCommitEntry(topic.Name, p.PartitionIndex, p.CommittedOffset, context.ApiVersion >= 6 ? p.CommittedLeaderEpoch : -1, p.CommittedMetadata));
            }
        }

        var errors = await context.Broker.Groups.CommitOffsetsAsync(
            commit.GroupId,
            commit.MemberId,
            context.ApiVersion >= 7 ? commit.GroupInstanceId : null,
            commit.GenerationIdOrMemberEpoch,
            entries).ConfigureAwait(false);
        var response = new OffsetCommitResponse();
        int i = 0;
        foreach (var topic in commit.Topics)
        {
            var answer = new OffsetCommitResponse.OffsetCommitResponseTopic { Name = topic.Name };
            response.Topics.Add(answer);
            foreach (var p in topic.Partitions)
            {
                answer.Partitions.Add(new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)errors[i++] });
            }
        }

        return response;
    }
}
