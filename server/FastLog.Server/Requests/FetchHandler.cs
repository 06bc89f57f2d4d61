using FastLog.Engine.Log;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;

namespace FastLog.Server.Requests;

/// <summary>
/// Fetch (key 1), v4-12. Every requested partition is in the answer (Java discards a full fetch that
/// omits one). Record bytes are file slices, sent with sendfile (small ones copied). With fewer than MinBytes available
/// the request waits — a long poll woken when a partition's high watermark moves, not a sleep loop — until
/// MaxWaitMs. No fetch sessions (SessionId 0) and no transactions (last stable offset = high watermark).
/// </summary>
/// <remarks>
/// A live consumer's fetch usually finds nothing new and waits; building the answer (one object
/// graph per partition, an index lookup each) only to find it empty cost more than the wait itself.
/// With MinBytes 1, what clients send, "is there anything to answer?" is a comparison of offsets per
/// partition (<see cref="MayAnswer"/>), so the full read runs once per fetch, when it will be sent.
/// </remarks>
internal sealed class FetchHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.Fetch;

    public short MinVersion => 4;

    public short MaxVersion => 12;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var fetch = (FetchRequest)request;
        if (fetch.MaxWaitMs > 0 && !MayAnswer(context, fetch))
        {
            return LongPollAsync(context, fetch);
        }

        var response = Read(context, fetch, out long bytes, out bool anyError);
        if (bytes >= fetch.MinBytes || fetch.MaxWaitMs <= 0 || anyError)
        {
            return ValueTask.FromResult<IKafkaMessage?>(response);
        }

        return LongPollAsync(context, fetch);
    }

    private static async ValueTask<IKafkaMessage?> LongPollAsync(RequestContext context, FetchRequest fetch)
    {
        var time = context.Broker.Time;
        long deadline = time.GetTimestamp() + (fetch.MaxWaitMs * time.TimestampFrequency / 1000);
        while (true)
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var states = Register(context, fetch, waiter);
            try
            {
                // Register first, then look again: an advance of the high watermark between the two wakes the waiter.
                var remaining = time.GetElapsedTime(time.GetTimestamp(), deadline);
                if (MayAnswer(context, fetch) || remaining <= TimeSpan.Zero)
                {
                    var response = Read(context, fetch, out long bytes, out bool anyError);
                    if (bytes >= fetch.MinBytes || anyError || remaining <= TimeSpan.Zero)
                    {
                        return response;
                    }
                }

                try
                {
                    await waiter.Task.WaitAsync(remaining, time, context.Connection.Closed);
                }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException)
                {
                    return Read(context, fetch, out _, out _);
                }
            }
            finally
            {
                foreach (var state in states)
                {
                    state.RemoveWaiter(waiter);
                }
            }
        }
    }

    /// <summary>
    /// Whether a read now could answer the fetch: with MinBytes 1 or less, some partition has records
    /// past its fetch offset or an error to report (unknown, fenced, offline, out of range); with a
    /// larger MinBytes only the read itself can tell, so this says yes.
    /// </summary>
    private static bool MayAnswer(RequestContext context, FetchRequest fetch)
    {
        if (fetch.MinBytes > 1)
        {
            return true;
        }

        foreach (var topic in fetch.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (Resolve(context, topic.Topic, partition, out var state) != ErrorCode.None)
                {
                    return true;
                }

                var log = state.Log;
                if (log.IsOffline || partition.FetchOffset != log.HighWatermark || partition.FetchOffset < log.LogStartOffset)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// The partition a fetch names, or why it cannot be read here: unknown, or a leader epoch that is
    /// not the current one. <see cref="Read"/> answers with it and <see cref="MayAnswer"/> stops waiting for it.
    /// </summary>
    private static ErrorCode Resolve(RequestContext context, string topic, FetchRequest.FetchPartition partition, out PartitionState state)
    {
        if (!context.Broker.Partitions.TryGet(topic, partition.Partition, out state))
        {
            return ErrorCode.UnknownTopicOrPartition;
        }

        if (partition.CurrentLeaderEpoch >= 0 && partition.CurrentLeaderEpoch != state.LeaderEpoch)
        {
            return partition.CurrentLeaderEpoch > state.LeaderEpoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.FencedLeaderEpoch;
        }

        return ErrorCode.None;
    }

    private static List<PartitionState> Register(RequestContext context, FetchRequest fetch, TaskCompletionSource waiter)
    {
        var states = new List<PartitionState>();
        foreach (var topic in fetch.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                if (context.Broker.Partitions.TryGet(topic.Topic, partition.Partition, out var state))
                {
                    state.AddWaiter(waiter);
                    states.Add(state);
                }
            }
        }

        return states;
    }

    private static FetchResponse Read(RequestContext context, FetchRequest fetch, out long totalBytes, out bool anyError)
    {
        var response = new FetchResponse { SessionId = 0 };
        totalBytes = 0;
        anyError = false;
        long budget = fetch.MaxBytes <= 0 ? int.MaxValue : fetch.MaxBytes;
        foreach (var topic in fetch.Topics)
        {
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic };
            response.Responses.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                var data = new FetchResponse.PartitionData
                {
                    PartitionIndex = partition.Partition,
                    HighWatermark = -1,
                    LastStableOffset = -1,
                    LogStartOffset = -1,
                    Records = KafkaRecords.FromBytes(ReadOnlyMemory<byte>.Empty),

                    // Kafka sends null without read_committed and an empty list with it (no transactions here).
                    AbortedTransactions = fetch.IsolationLevel == 1 ? [] : null,
                };
                topicResponse.Partitions.Add(data);
                var error = Resolve(context, topic.Topic, partition, out var state);
                if (error != ErrorCode.None)
                {
                    data.ErrorCode = (short)error;
                    anyError = true;
                    continue;
                }

                // KIP-74: the first partition with data may exceed the budget by one batch; later ones may not.
                int maxBytes = (int)Math.Min(partition.PartitionMaxBytes, Math.Max(0, budget));
                bool minOneBatch = totalBytes == 0;
                var log = state.Log;
                var result = log.Read(partition.FetchOffset, maxBytes, log.HighWatermark, minOneBatch);
                data.HighWatermark = result.HighWatermark;
                data.LastStableOffset = result.HighWatermark;
                data.LogStartOffset = result.LogStartOffset;
                data.ErrorCode = result.KafkaErrorCode;
                if (result.Status != ReadStatus.Success)
                {
                    anyError = true;
                    continue;
                }

                if (!result.Slice.IsEmpty)
                {
                    data.Records = KafkaRecords.External(result.Slice.LengthBytes, result.Slice);
                    totalBytes += result.Slice.LengthBytes;
                    budget -= result.Slice.LengthBytes;
                }
            }
        }

        return response;
    }
}
