using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// OffsetForLeaderEpoch (key 23), v2-4: for the largest leader epoch at or below the one asked, the
/// offset where it ended. A single node has had one leader epoch per partition: asking for it answers
/// the log end offset; any other epoch is undefined (-1, -1), as Kafka answers epochs it never had.
/// </summary>
internal sealed class OffsetForLeaderEpochHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.OffsetForLeaderEpoch;

    public short MinVersion => 2;

    public short MaxVersion => 4;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var query = (OffsetForLeaderEpochRequest)request;
        var response = new OffsetForLeaderEpochResponse();
        foreach (var topic in query.Topics)
        {
            var result = new OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult { Topic = topic.Topic };
            response.Topics.Add(result);
            foreach (var partition in topic.Partitions)
            {
                var answer = new OffsetForLeaderEpochResponse.EpochEndOffset { Partition = partition.Partition, LeaderEpoch = -1, EndOffset = -1 };
                result.Partitions.Add(answer);
                if (!context.Broker.Partitions.TryGet(topic.Topic, partition.Partition, out var state))
                {
                    answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (partition.CurrentLeaderEpoch >= 0 && partition.CurrentLeaderEpoch != state.LeaderEpoch)
                {
                    answer.ErrorCode = (short)(partition.CurrentLeaderEpoch > state.LeaderEpoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.FencedLeaderEpoch);
                    continue;
                }

                if (partition.LeaderEpoch == state.LeaderEpoch)
                {
                    answer.LeaderEpoch = state.LeaderEpoch;
                    answer.EndOffset = state.Log.LogEndOffset;
                }
            }
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
