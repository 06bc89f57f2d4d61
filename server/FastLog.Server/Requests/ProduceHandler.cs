using System.Buffers;
using System.Runtime.InteropServices;
using FastLog.Engine.Commit;
using FastLog.Engine.Log;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Coordinator;

namespace FastLog.Server.Requests;

/// <summary>
/// Produce (key 0). Advertised from v0 because old librdkafka (kcat) only compresses when Produce v0
/// is in the range (KAFKA-18659); v0-2 are refused per partition, as Kafka 4 does. v3+ carry exactly
/// one RecordBatch v2 per partition, appended in place from the receive buffer (offsets stamped,
/// CRC untouched). acks=0 gets no response, acks=1 is answered after the page-cache write, and
/// acks=all after the group committer has fsynced every partition of the request.
/// </summary>
internal sealed class ProduceHandler : IApiHandler
{
    private const short FirstBatchVersion = 3;

    public ApiKey ApiKey => ApiKey.Produce;

    public short MinVersion => 0;

    public short MaxVersion => 11;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var produce = (ProduceRequest)request;
        var response = new ProduceResponse();
        List<(PartitionLog Log, long EndOffset)>? durableWaits;

        // One flush for the whole request under log.flush.interval.messages, not one per partition crossing it
        // (with a commit journal they all cross the journal's threshold); see ThresholdFlushDeferral.
        using (ThresholdFlushDeferral.Begin())
        {
            durableWaits = Append(context, produce, response);
        }

        if (produce.Acks == 0)
        {
            return ValueTask.FromResult<IKafkaMessage?>(null);
        }

        if (durableWaits is null)
        {
            return ValueTask.FromResult<IKafkaMessage?>(response);
        }

        return WaitForDurabilityAsync(response, durableWaits);
    }

    /// <summary>Appends every partition's batch, filling in <paramref name="response"/>; returns the acks=all waits (null when none).</summary>
    private static List<(PartitionLog Log, long EndOffset)>? Append(RequestContext context, ProduceRequest produce, ProduceResponse response)
    {
        bool validAcks = produce.Acks is -1 or 0 or 1;
        List<(PartitionLog Log, long EndOffset)>? durableWaits = null;
        foreach (var topic in produce.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            foreach (var partition in topic.PartitionData)
            {
                var answer = new ProduceResponse.PartitionProduceResponse { Index = partition.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(answer);
                if (!validAcks)
                {
                    answer.ErrorCode = (short)ErrorCode.InvalidRequiredAcks;
                    continue;
                }

                if (context.ApiVersion < FirstBatchVersion)
                {
                    answer.ErrorCode = (short)ErrorCode.UnsupportedVersion;
                    answer.ErrorMessage = "Produce v0-v2 (message format v0/v1) is not supported";
                    continue;
                }

                if (topic.Name == OffsetsTopicStore.TopicName)
                {
                    // Only the group coordinator writes committed offsets; a client append would corrupt them (Kafka refuses it too).
                    answer.ErrorCode = (short)ErrorCode.InvalidTopicException;
                    answer.ErrorMessage = $"cannot append to internal topic {topic.Name}";
                    continue;
                }

                if (!context.Broker.Partitions.TryGet(topic.Name, partition.Index, out var state))
                {
                    answer.ErrorCode = (short)ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                if (partition.Records.IsNull || partition.Records.LengthBytes == 0)
                {
                    answer.ErrorCode = (short)ErrorCode.CorruptMessage;
                    answer.ErrorMessage = "no record batch";
                    continue;
                }

                // The records point into the connection's receive buffer, which is ours to stamp in place.
                var batch = MemoryMarshal.AsMemory(partition.Records.Bytes).Span;
                var result = state.Log.Append(batch, state.LeaderEpoch);
                answer.ErrorCode = result.KafkaErrorCode;
                answer.LogStartOffset = state.Log.LogStartOffset;
                if (!result.IsSuccess)
                {
                    answer.ErrorMessage = result.Status == AppendStatus.InvalidBatch ? $"record batch refused: {result.BatchError}" : null;
                    continue;
                }

                answer.BaseOffset = result.BaseOffset;
                state.Log.UpdateHighWatermark(result.EndOffset);
                if (result.Status == AppendStatus.Success)
                {
                    state.CountProduced(result.LastOffset - result.BaseOffset + 1, batch.Length);
                }

                if (produce.Acks == -1)
                {
                    (durableWaits ??= []).Add((state.Log, result.EndOffset));
                }
            }
        }

        return durableWaits;
    }

    /// <summary>Waits until every partition written with acks=all is durable; a partition whose fsync failed or that closed first answers with an error.</summary>
    internal static ValueTask<IKafkaMessage?> WaitForDurabilityAsync(ProduceResponse response, List<(PartitionLog Log, long EndOffset)> waits) =>
        WaitForDurabilityAsync(response, waits, static (log, endOffset) => log.WaitForDurableAsync(endOffset));

    /// <summary>As above, with the wait itself given (tests watch when each one starts).</summary>
    internal static async ValueTask<IKafkaMessage?> WaitForDurabilityAsync(
        ProduceResponse response, List<(PartitionLog Log, long EndOffset)> waits, Func<PartitionLog, long, ValueTask> waitForDurable)
    {
        // Every wait starts before any is awaited. Under the default policy it is the wait that asks for the
        // partition's fsync, so awaiting one partition before starting the next would fsync a request's
        // partitions one after another instead of side by side on the committer's flushers.
        var started = ArrayPool<ValueTask>.Shared.Rent(waits.Count);
        try
        {
            for (int i = 0; i < waits.Count; i++)
            {
#pragma warning disable CA2012 // Stored to be awaited exactly once in the loop below.
                started[i] = Start(waitForDurable, waits[i].Log, waits[i].EndOffset);
#pragma warning restore CA2012
            }

            for (int i = 0; i < waits.Count; i++)
            {
                var log = waits[i].Log;
                try
                {
                    await started[i];

                    // A journaled log's wait is the journal's, which outlives the partition: the write
                    // became durable in a journal whose copy of it no longer counts.
                    ObjectDisposedException.ThrowIf(log.IsDeleted, log);
                }
                catch (IOException)
                {
                    // The fsync failed: the write is not durable, so the partition's answer must say so.
                    Fail(response, log, AppendResult.KafkaStorageErrorCode, "the log's fsync failed; the partition is offline");
                }
                catch (ObjectDisposedException)
                {
                    // The partition was closed before the fsync (its topic deleted, or the broker stopping):
                    // the write may be gone. Kafka answers a produce whose partition left this broker with
                    // NOT_LEADER_OR_FOLLOWER, which makes clients refresh metadata and retry or give up.
                    Fail(response, log, (short)ErrorCode.NotLeaderOrFollower, "the partition was closed before the write became durable");
                }
            }
        }
        finally
        {
            Array.Clear(started, 0, waits.Count);
            ArrayPool<ValueTask>.Shared.Return(started);
        }

        return response;

        static ValueTask Start(Func<PartitionLog, long, ValueTask> wait, PartitionLog log, long endOffset)
        {
            try
            {
                return wait(log, endOffset);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // A log without a committer syncs inline and may throw here; answered like a failed wait.
                return ValueTask.FromException(e);
            }
        }
    }

    private static void Fail(ProduceResponse response, PartitionLog log, short errorCode, string message)
    {
        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.PartitionResponses)
            {
                if (topic.Name == log.TopicPartition.Topic && partition.Index == log.TopicPartition.Partition)
                {
                    partition.ErrorCode = errorCode;
                    partition.ErrorMessage = message;
                    partition.BaseOffset = -1;
                }
            }
        }
    }
}
