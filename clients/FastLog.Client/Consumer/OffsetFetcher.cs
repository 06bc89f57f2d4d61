using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Consumer;

/// <summary>
/// OffsetFetch: a group's committed offsets. Versions 1-9 as negotiated (8+ carry a groups array). Committed
/// offsets that do not exist come back as -1 and are left out of the result.
/// </summary>
internal static class OffsetFetcher
{
    /// <summary>One attempt.</summary>
    /// <exception cref="KafkaException">
    /// The coordinator is unavailable or moved (retriable; the link forgets it), offsets are unstable because of
    /// an open transaction (retriable), or a fatal group error.
    /// </exception>
    public static async Task<Dictionary<TopicPartition, TopicPartitionOffset>> FetchAsync(
        CoordinatorLink coordinator,
        IEnumerable<TopicPartition> partitions,
        IsolationLevel isolation,
        CancellationToken cancellationToken)
    {
        var byTopic = partitions.GroupBy(p => p.Topic, StringComparer.Ordinal)
            .Select(t => (Topic: t.Key, Partitions: t.Select(p => p.Partition).Distinct().Order().ToList()))
            .ToList();
        bool requireStable = isolation == IsolationLevel.ReadCommitted;
        short version = 0;
        OffsetFetchResponse response = await coordinator.SendAsync<OffsetFetchResponse>(
            connection =>
            {
                version = connection.PickVersion(ApiKey.OffsetFetch, 1, 9);
                var request = version >= 8
                    ? new OffsetFetchRequest
                    {
                        Groups =
                        [
                            new OffsetFetchRequest.OffsetFetchRequestGroup
                            {
                                GroupId = coordinator.GroupId,
                                Topics = [.. byTopic.Select(t => new OffsetFetchRequest.OffsetFetchRequestTopics { Name = t.Topic, PartitionIndexes = t.Partitions })],
                            },
                        ],
                        RequireStable = requireStable,
                    }
                    : new OffsetFetchRequest
                    {
                        GroupId = coordinator.GroupId,
                        Topics = [.. byTopic.Select(t => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = t.Topic, PartitionIndexes = t.Partitions })],
                        RequireStable = requireStable,
                    };
                return (request, version);
            },
            cancellationToken).ConfigureAwait(false);

        var result = new Dictionary<TopicPartition, TopicPartitionOffset>();
        ErrorCode groupError;
        if (version >= 8)
        {
            OffsetFetchResponse.OffsetFetchResponseGroup? group = response.Groups.FirstOrDefault();
            groupError = group is null ? ErrorCode.UnknownServerError : (ErrorCode)group.ErrorCode;
            ThrowIfFailed(coordinator, groupError);
            foreach (OffsetFetchResponse.OffsetFetchResponseTopics topic in group!.Topics)
            {
                foreach (OffsetFetchResponse.OffsetFetchResponsePartitions p in topic.Partitions)
                {
                    Add(coordinator, result, topic.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata, (ErrorCode)p.ErrorCode);
                }
            }
        }
        else
        {
            groupError = (ErrorCode)response.ErrorCode;
            ThrowIfFailed(coordinator, groupError);
            foreach (OffsetFetchResponse.OffsetFetchResponseTopic topic in response.Topics)
            {
                foreach (OffsetFetchResponse.OffsetFetchResponsePartition p in topic.Partitions)
                {
                    Add(coordinator, result, topic.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata, (ErrorCode)p.ErrorCode);
                }
            }
        }

        return result;
    }

    /// <summary>Retries retriable failures until <paramref name="timeout"/>.</summary>
    public static async Task<Dictionary<TopicPartition, TopicPartitionOffset>> FetchWithRetriesAsync(
        CoordinatorLink coordinator,
        IReadOnlyCollection<TopicPartition> partitions,
        IsolationLevel isolation,
        TimeSpan timeout,
        TimeSpan backoff,
        CancellationToken cancellationToken)
    {
        long deadline = MonotonicClock.NowMs + (long)timeout.TotalMilliseconds;
        while (true)
        {
            try
            {
                return await FetchAsync(coordinator, partitions, isolation, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable && MonotonicClock.NowMs + (long)backoff.TotalMilliseconds < deadline)
            {
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static void ThrowIfFailed(CoordinatorLink coordinator, ErrorCode error)
    {
        if (error == ErrorCode.None)
        {
            return;
        }

        if (CoordinatorLink.IsCoordinatorError(error))
        {
            coordinator.MarkUnknown();
        }

        throw new KafkaException(error, $"OffsetFetch for group {coordinator.GroupId} failed with {error}.");
    }

    private static void Add(
        CoordinatorLink coordinator,
        Dictionary<TopicPartition, TopicPartitionOffset> result,
        string topic,
        int partition,
        long offset,
        int leaderEpoch,
        string? metadata,
        ErrorCode error)
    {
        if (error != ErrorCode.None)
        {
            // UnstableOffsetCommit (an open transaction holds offsets) is retriable; others fail the lookup.
            ThrowIfFailed(coordinator, error);
        }

        if (offset >= 0)
        {
            var tp = new TopicPartition(topic, partition);
            result[tp] = new TopicPartitionOffset(tp, offset) { LeaderEpoch = leaderEpoch, Metadata = metadata };
        }
    }
}
