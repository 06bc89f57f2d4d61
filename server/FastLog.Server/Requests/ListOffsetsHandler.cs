using FastLog.Engine.Log;
using FastLog.Format;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// ListOffsets (key 2), v1-7: latest (-1, the high watermark), earliest (-2, the log start offset),
/// max timestamp (-3, v7) and by timestamp (the first record at or after it, found through the time
/// index and then record by record inside the batch, decompressing it when needed).
/// </summary>
internal sealed class ListOffsetsHandler : IApiHandler
{
    private const long Latest = -1;
    private const long Earliest = -2;
    private const long MaxTimestamp = -3;

    public ApiKey ApiKey => ApiKey.ListOffsets;

    public short MinVersion => 1;

    public short MaxVersion => 7;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var list = (ListOffsetsRequest)request;
        var response = new ListOffsetsResponse();
        foreach (var topic in list.Topics)
        {
            var topicResponse = new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name };
            response.Topics.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                var answer = new ListOffsetsResponse.ListOffsetsPartitionResponse { PartitionIndex = partition.PartitionIndex, Timestamp = -1, Offset = -1 };
                topicResponse.Partitions.Add(answer);
                if (!context.Broker.Partitions.TryGet(topic.Name, partition.PartitionIndex, out var state))
                {
                    answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (partition.CurrentLeaderEpoch >= 0 && partition.CurrentLeaderEpoch != state.LeaderEpoch)
                {
                    answer.ErrorCode = (short)(partition.CurrentLeaderEpoch > state.LeaderEpoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.FencedLeaderEpoch);
                    continue;
                }

                answer.LeaderEpoch = state.LeaderEpoch;
                var log = state.Log;
                if (log.IsOffline)
                {
                    answer.ErrorCode = AppendResult.KafkaStorageErrorCode;
                    continue;
                }

                switch (partition.Timestamp)
                {
                    case Latest:
                        answer.Offset = log.HighWatermark;
                        break;
                    case Earliest:
                        answer.Offset = log.LogStartOffset;
                        break;
                    case MaxTimestamp:
                        (answer.Offset, answer.Timestamp) = FindMaxTimestamp(log);
                        break;
                    default:
                        if (partition.Timestamp < 0)
                        {
                            answer.ErrorCode = (short)ErrorCode.InvalidRequest;
                            break;
                        }

                        (answer.Offset, answer.Timestamp) = FindByTimestamp(log, partition.Timestamp);
                        break;
                }
            }
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    /// <summary>The first record whose timestamp is at or after <paramref name="timestampMs"/>, or (-1, -1).</summary>
    private static (long Offset, long Timestamp) FindByTimestamp(PartitionLog log, long timestampMs)
    {
        if (!log.TryFindBatchByTimestamp(timestampMs, out long batchBaseOffset, out var slice))
        {
            return (-1, -1);
        }

        try
        {
            foreach (var (offset, timestamp) in RecordTimestamps(slice.ToArray()))
            {
                if (timestamp >= timestampMs && offset >= log.LogStartOffset)
                {
                    return (offset, timestamp);
                }
            }
        }
        catch (InvalidRecordBatchException)
        {
            // Appends check a batch's header and CRC, not every record (that cost would grow with the
            // record count), so a producer can store a batch whose records do not parse. Answer with
            // the batch's first offset: the batch's max timestamp is at or after the one asked for.
            return (Math.Max(batchBaseOffset, log.LogStartOffset), timestampMs);
        }

        return (-1, -1);
    }

    /// <summary>The record with the largest timestamp (the first of equals), or (-1, -1) for an empty log.</summary>
    private static (long Offset, long Timestamp) FindMaxTimestamp(PartitionLog log)
    {
        long max = -1;
        foreach (var segment in log.Segments)
        {
            max = Math.Max(max, segment.MaxTimestampMs);
        }

        return max < 0 ? (-1, -1) : FindByTimestamp(log, max);
    }

    private static List<(long Offset, long Timestamp)> RecordTimestamps(byte[] batch)
    {
        var result = new List<(long, long)>();
        using var buffer = new PooledBufferWriter();
        var reader = new RecordBatchReader(batch, buffer, 64 * 1024 * 1024);
        bool logAppendTime = reader.Header.IsLogAppendTime;
        long batchMax = reader.Header.MaxTimestamp;
        foreach (var record in reader.GetRecords())
        {
            result.Add((record.Offset, logAppendTime ? batchMax : record.Timestamp));
        }

        return result;
    }
}
