using FastLog.Protocol;
using FastLog.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Consumer;

/// <summary>
/// OffsetCommit to the group coordinator (versions 2-9 as negotiated), with the member's generation when it is
/// in a group and as a standalone commit (generation -1) when partitions were assigned manually.
/// </summary>
/// <remarks>
/// Coordinator errors (moved, unavailable, loading, timed out) are retried until <c>request.timeout.ms</c>, after
/// finding the coordinator again. REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID fail the commit
/// as the Java client does (its <c>CommitFailedException</c>): the member rejoins, and what it consumed since the
/// last successful commit may be consumed again by the partition's next owner.
/// </remarks>
internal sealed class OffsetCommitter(CoordinatorLink link, ConsumerOptions options, ILogger logger)
{
    /// <summary>The group membership, once subscribed; null for manual assignment.</summary>
    public GroupMembership? Membership { get; set; }

    /// <exception cref="KafkaException">The commit failed (see the remarks for which errors are retried).</exception>
    public async Task CommitAsync(IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        if (offsets.Count == 0)
        {
            return;
        }

        long deadline = MonotonicClock.NowMs + (long)options.RequestTimeout.TotalMilliseconds;
        while (true)
        {
            ErrorCode error;
            string detail;
            try
            {
                (error, detail) = await SendAsync(offsets, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                (error, detail) = (e.Error, e.Message);
            }

            if (error == ErrorCode.None)
            {
                ConsumerLog.Committed(logger, link.GroupId, offsets.Count, offsets);
                return;
            }

            bool coordinatorMoved = CoordinatorLink.IsCoordinatorError(error) || error == ErrorCode.CoordinatorLoadInProgress;
            if (coordinatorMoved)
            {
                link.MarkUnknown();
            }

            if (KafkaErrors.IsRetriable(error) && error != ErrorCode.UnknownTopicOrPartition
                && MonotonicClock.NowMs + (long)options.RetryBackoff.TotalMilliseconds < deadline)
            {
                await Task.Delay(options.RetryBackoff, cancellationToken).ConfigureAwait(false);
                continue;
            }

            throw Failure(error, detail);
        }
    }

    private async Task<(ErrorCode Error, string Detail)> SendAsync(IReadOnlyList<TopicPartitionOffset> offsets, CancellationToken cancellationToken)
    {
        (int generation, string memberId) = Membership?.Identity ?? (-1, string.Empty);
        var topics = offsets
            .GroupBy(o => o.Topic, StringComparer.Ordinal)
            .Select(t => new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = t.Key,
                Partitions = [.. t.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition
                {
                    PartitionIndex = o.Partition,
                    CommittedOffset = o.Offset,
                    CommittedLeaderEpoch = o.LeaderEpoch,
                    CommittedMetadata = o.Metadata ?? string.Empty,
                })],
            })
            .ToList();
        OffsetCommitResponse response = await link.SendAsync<OffsetCommitResponse>(
            connection => (new OffsetCommitRequest
            {
                GroupId = link.GroupId,
                GenerationIdOrMemberEpoch = generation,
                MemberId = memberId,
                GroupInstanceId = Membership is null ? null : options.GroupInstanceId,
                RetentionTimeMs = -1,
                Topics = topics,
            }, connection.PickVersion(ApiKey.OffsetCommit, 2, 9)),
            cancellationToken).ConfigureAwait(false);
        foreach (OffsetCommitResponse.OffsetCommitResponseTopic topic in response.Topics)
        {
            foreach (OffsetCommitResponse.OffsetCommitResponsePartition partition in topic.Partitions)
            {
                if (partition.ErrorCode != 0)
                {
                    var error = (ErrorCode)partition.ErrorCode;
                    return (error, $"{topic.Name}-{partition.PartitionIndex}: {error}");
                }
            }
        }

        return (ErrorCode.None, string.Empty);
    }

    private KafkaException Failure(ErrorCode error, string detail)
    {
        switch (error)
        {
            case ErrorCode.RebalanceInProgress:
                Membership?.RequestRejoin("a commit found the group rebalancing");
                return new KafkaException(error, $"Commit for group {link.GroupId} failed: the group is rebalancing. Consume again to rejoin, then commit ({detail}).");
            case ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId or ErrorCode.FencedInstanceId:
                Membership?.GenerationLost(resetMemberId: error != ErrorCode.IllegalGeneration);
                return new KafkaException(
                    error,
                    $"Commit for group {link.GroupId} failed: this member is no longer part of the group's generation " +
                    $"(it took longer than max.poll.interval.ms, or the session timed out), so its partitions may already belong to another member ({detail}).");
            default:
                return new KafkaException(error, $"Commit for group {link.GroupId} failed with {error} ({detail}).");
        }
    }
}
