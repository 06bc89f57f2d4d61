using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// DeleteRecords (key 21), v0-2: moves each partition's log start offset up to the given offset
/// (-1 = the high watermark), so earlier offsets stop being readable at once, then deletes the
/// segments that now lie wholly below it. An offset above the high watermark, or negative other
/// than -1, is OFFSET_OUT_OF_RANGE; one below the current start changes nothing. The answer's low
/// watermark is the log start offset afterwards. With one replica there is nobody else to wait for.
/// </summary>
internal sealed class DeleteRecordsHandler : IApiHandler
{
    private const long HighWatermark = -1;

    public ApiKey ApiKey => ApiKey.DeleteRecords;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var delete = (DeleteRecordsRequest)request;
        var response = new DeleteRecordsResponse();
        foreach (var topic in delete.Topics)
        {
            var topicResult = new DeleteRecordsResponse.DeleteRecordsTopicResult { Name = topic.Name };
            response.Topics.Add(topicResult);
            foreach (var partition in topic.Partitions)
            {
                var answer = new DeleteRecordsResponse.DeleteRecordsPartitionResult { PartitionIndex = partition.PartitionIndex, LowWatermark = -1 };
                topicResult.Partitions.Add(answer);
                if (!context.Broker.Partitions.TryGet(topic.Name, partition.PartitionIndex, out var state))
                {
                    answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                var log = state.Log;
                long offset = partition.Offset == HighWatermark ? log.HighWatermark : partition.Offset;
                if (offset < 0 || !log.AdvanceLogStartOffset(offset))
                {
                    answer.ErrorCode = (short)ErrorCode.OffsetOutOfRange;
                    continue;
                }

                // Reclaim the space now rather than at the next retention pass.
                log.DeleteRetainedSegments();
                answer.LowWatermark = log.LogStartOffset;
            }
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
