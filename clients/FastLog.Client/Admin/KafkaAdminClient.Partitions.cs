using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Admin;

/// <summary>Per-partition operations on the partitions' leaders: ListOffsets and DeleteRecords.</summary>
public sealed partial class KafkaAdminClient
{
    private const short FirstListOffsetsVersionWithMaxTimestamp = 7;

    /// <summary>Looks up one offset per partition: earliest, latest, the largest timestamp, or the first at or after a timestamp.</summary>
    /// <returns>One entry per partition, in the order given.</returns>
    /// <exception cref="KafkaException">A topic or partition does not exist (<see cref="ErrorCode.UnknownTopicOrPartition"/>).</exception>
    public async Task<IReadOnlyList<ListedOffset>> ListOffsetsAsync(
        IEnumerable<TopicAndPartition> partitions,
        OffsetSpec spec,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(spec);
        return await ListOffsetsAsync(partitions.Distinct().ToDictionary(p => p, _ => spec), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Looks up one offset per partition, each with its own <see cref="OffsetSpec"/>.</summary>
    /// <returns>One entry per partition, in the dictionary's order.</returns>
    /// <exception cref="KafkaException">A topic or partition does not exist (<see cref="ErrorCode.UnknownTopicOrPartition"/>).</exception>
    public Task<IReadOnlyList<ListedOffset>> ListOffsetsAsync(
        IReadOnlyDictionary<TopicAndPartition, OffsetSpec> specs,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(specs);
        CheckPartitions(specs.Keys);
        return RunAsync<TopicAndPartition, ListedOffset>(
            "ListOffsets",
            specs.Keys,
            (pending, ct) => FanOutAsync<TopicAndPartition, ListedOffset>(pending, LeaderAsync, async (target, keys, ct2) =>
            {
                short version = target.Connection.PickVersion(ApiKey.ListOffsets, 1, 7);
                var outcomes = new Dictionary<TopicAndPartition, ItemOutcome<ListedOffset>>();
                var request = new ListOffsetsRequest { ReplicaId = -1, IsolationLevel = 0 };
                foreach (IGrouping<string, TopicAndPartition> topic in keys.GroupBy(k => k.Topic, StringComparer.Ordinal))
                {
                    var entry = new ListOffsetsRequest.ListOffsetsTopic { Name = topic.Key };
                    foreach (TopicAndPartition tp in topic)
                    {
                        OffsetSpec spec = specs[tp];
                        if (spec == OffsetSpec.MaxTimestamp && version < FirstListOffsetsVersionWithMaxTimestamp)
                        {
                            outcomes[tp] = ItemOutcome<ListedOffset>.Failed(AdminErrors.For(
                                ErrorCode.UnsupportedVersion, AdminErrors.Partition(tp), $"looking up the max timestamp needs ListOffsets v7, the broker speaks v{version}"));
                            continue;
                        }

                        entry.Partitions.Add(new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = tp.Partition, Timestamp = spec.Timestamp, CurrentLeaderEpoch = -1 });
                    }

                    if (entry.Partitions.Count > 0)
                    {
                        request.Topics.Add(entry);
                    }
                }

                if (request.Topics.Count == 0)
                {
                    return outcomes;
                }

                var response = await target.Connection.SendAsync<ListOffsetsResponse>(request, version, ct2).ConfigureAwait(false);
                foreach (ListOffsetsResponse.ListOffsetsTopicResponse topic in response.Topics)
                {
                    foreach (ListOffsetsResponse.ListOffsetsPartitionResponse p in topic.Partitions)
                    {
                        var tp = new TopicAndPartition(topic.Name, p.PartitionIndex);
                        outcomes[tp] = Outcome(p.ErrorCode, AdminErrors.Partition(tp), null, () => new ListedOffset(tp, p.Offset, p.Timestamp, p.LeaderEpoch));
                    }
                }

                return outcomes;
            }, ct),
            RefreshTopicsAsync,
            cancellationToken);
    }

    /// <summary>
    /// Deletes the records before the given offset of each partition (moves its log start offset up); -1 deletes
    /// everything up to the high watermark.
    /// </summary>
    /// <returns>Each partition's earliest offset afterwards, in the dictionary's order.</returns>
    /// <exception cref="KafkaException">
    /// A partition does not exist, or the offset lies beyond the high watermark (<see cref="ErrorCode.OffsetOutOfRange"/>).
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An offset is below -1.</exception>
    public Task<IReadOnlyList<DeletedRecords>> DeleteRecordsAsync(
        IReadOnlyDictionary<TopicAndPartition, long> beforeOffsets,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(beforeOffsets);
        CheckPartitions(beforeOffsets.Keys);
        foreach ((TopicAndPartition tp, long offset) in beforeOffsets)
        {
            if (offset < -1)
            {
                throw new ArgumentOutOfRangeException(nameof(beforeOffsets), offset, $"The offset for {tp} must be -1 (the high watermark) or at least 0.");
            }
        }

        return RunAsync<TopicAndPartition, DeletedRecords>(
            "DeleteRecords",
            beforeOffsets.Keys,
            (pending, ct) => FanOutAsync<TopicAndPartition, DeletedRecords>(pending, LeaderAsync, async (target, keys, ct2) =>
            {
                short version = target.Connection.PickVersion(ApiKey.DeleteRecords, 0, 2);
                var request = new DeleteRecordsRequest
                {
                    TimeoutMs = TimeoutMs,
                    Topics = [.. keys.GroupBy(k => k.Topic, StringComparer.Ordinal).Select(t => new DeleteRecordsRequest.DeleteRecordsTopic
                    {
                        Name = t.Key,
                        Partitions = [.. t.Select(tp => new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = tp.Partition, Offset = beforeOffsets[tp] })],
                    })],
                };
                var response = await target.Connection.SendAsync<DeleteRecordsResponse>(request, version, ct2).ConfigureAwait(false);
                var outcomes = new Dictionary<TopicAndPartition, ItemOutcome<DeletedRecords>>();
                foreach (DeleteRecordsResponse.DeleteRecordsTopicResult topic in response.Topics)
                {
                    foreach (DeleteRecordsResponse.DeleteRecordsPartitionResult p in topic.Partitions)
                    {
                        var tp = new TopicAndPartition(topic.Name, p.PartitionIndex);
                        string? detail = (ErrorCode)p.ErrorCode == ErrorCode.OffsetOutOfRange
                            ? $"cannot delete before offset {beforeOffsets[tp]}"
                            : null;
                        outcomes[tp] = Outcome(p.ErrorCode, AdminErrors.Partition(tp), detail, () => new DeletedRecords(tp, p.LowWatermark));
                    }
                }

                return outcomes;
            }, ct),
            RefreshTopicsAsync,
            cancellationToken);
    }

    /// <summary>The partition's leader; a missing topic or partition is a clear, non-retriable error.</summary>
    private async Task<AdminTarget> LeaderAsync(TopicAndPartition partition, CancellationToken cancellationToken)
    {
        try
        {
            (KafkaConnection connection, int leaderId) = await _cluster.GetLeaderAsync(partition.Topic, partition.Partition, cancellationToken).ConfigureAwait(false);
            return new AdminTarget(leaderId, connection);
        }
        catch (KafkaException e) when (e.Error == ErrorCode.UnknownTopicOrPartition)
        {
            bool topicKnown = _cluster.Metadata.Current.Topics.TryGetValue(partition.Topic, out TopicMetadata? topic) && topic.Error == ErrorCode.None;
            throw topicKnown
                ? AdminErrors.For(ErrorCode.UnknownTopicOrPartition, AdminErrors.Partition(partition), null)
                : AdminErrors.For(ErrorCode.UnknownTopicOrPartition, AdminErrors.Topic(partition.Topic), null);
        }
    }

    private static void CheckPartitions(IEnumerable<TopicAndPartition> partitions)
    {
        foreach (TopicAndPartition tp in partitions)
        {
            ArgumentException.ThrowIfNullOrEmpty(tp.Topic, nameof(partitions));
            ArgumentOutOfRangeException.ThrowIfNegative(tp.Partition, nameof(partitions));
        }
    }
}
