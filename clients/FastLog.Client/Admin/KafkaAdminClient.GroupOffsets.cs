using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Admin;

/// <summary>A group's committed offsets: list, alter, reset, delete. All go to the group's coordinator.</summary>
public sealed partial class KafkaAdminClient
{
    /// <summary>
    /// The group's committed offsets: of <paramref name="partitions"/> (an uncommitted one has offset -1), or when
    /// null of every partition the group has committed.
    /// </summary>
    /// <returns>Offsets ordered by topic and partition.</returns>
    /// <exception cref="KafkaException">The coordinator refused (e.g. <see cref="ErrorCode.InvalidGroupId"/>).</exception>
    public async Task<IReadOnlyList<CommittedOffset>> ListGroupOffsetsAsync(
        string groupId,
        IEnumerable<TopicAndPartition>? partitions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        List<TopicAndPartition>? wanted = partitions?.Distinct().ToList();
        if (wanted is not null)
        {
            CheckPartitions(wanted);
        }

        IReadOnlyList<IReadOnlyList<CommittedOffset>> listed = await RunAsync<string, IReadOnlyList<CommittedOffset>>(
            "OffsetFetch",
            [groupId],
            async (pending, ct) =>
            {
                AdminTarget coordinator = await CoordinatorAsync(groupId, ct).ConfigureAwait(false);
                short version = coordinator.Connection.PickVersion(ApiKey.OffsetFetch, 1, 8);
                return new Dictionary<string, ItemOutcome<IReadOnlyList<CommittedOffset>>>(StringComparer.Ordinal)
                {
                    [groupId] = await FetchOffsetsAsync(coordinator.Connection, version, groupId, wanted, ct).ConfigureAwait(false),
                };
            },
            null,
            cancellationToken).ConfigureAwait(false);
        return listed[0];
    }

    /// <summary>
    /// Sets the group's committed offsets, as a standalone commit (generation -1, no member id). The group must have
    /// no active members: a consumer would overwrite the offsets with its own commits.
    /// </summary>
    /// <exception cref="KafkaException">
    /// The group has active members (<see cref="ErrorCode.UnknownMemberId"/>), or a partition does not exist.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">An offset is negative.</exception>
    public async Task AlterGroupOffsetsAsync(
        string groupId,
        IReadOnlyDictionary<TopicAndPartition, long> offsets,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(offsets);
        CheckPartitions(offsets.Keys);
        foreach ((TopicAndPartition tp, long offset) in offsets)
        {
            if (offset < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(offsets), offset, $"The offset for {tp} must not be negative.");
            }
        }

        await RunAsync<TopicAndPartition, bool>(
            "OffsetCommit",
            offsets.Keys,
            async (pending, ct) =>
            {
                AdminTarget coordinator = await CoordinatorAsync(groupId, ct).ConfigureAwait(false);

                // v9 carries a KIP-848 member epoch; a standalone commit means the same in v8.
                short version = coordinator.Connection.PickVersion(ApiKey.OffsetCommit, 2, 8);
                var request = new OffsetCommitRequest
                {
                    GroupId = groupId,
                    GenerationIdOrMemberEpoch = -1,
                    MemberId = string.Empty,
                    GroupInstanceId = null,
                    RetentionTimeMs = -1,
                    Topics = [.. pending.GroupBy(p => p.Topic, StringComparer.Ordinal).Select(t => new OffsetCommitRequest.OffsetCommitRequestTopic
                    {
                        Name = t.Key,
                        Partitions = [.. t.Select(tp => new OffsetCommitRequest.OffsetCommitRequestPartition
                        {
                            PartitionIndex = tp.Partition,
                            CommittedOffset = offsets[tp],
                            CommittedLeaderEpoch = -1,
                            CommittedMetadata = string.Empty,
                        })],
                    })],
                };
                var response = await coordinator.Connection.SendAsync<OffsetCommitResponse>(request, version, ct).ConfigureAwait(false);
                var outcomes = new Dictionary<TopicAndPartition, ItemOutcome<bool>>();
                foreach (OffsetCommitResponse.OffsetCommitResponseTopic topic in response.Topics)
                {
                    foreach (OffsetCommitResponse.OffsetCommitResponsePartition p in topic.Partitions)
                    {
                        var tp = new TopicAndPartition(topic.Name, p.PartitionIndex);
                        outcomes[tp] = Outcome(p.ErrorCode, GroupPartitionSubject(groupId, tp, (ErrorCode)p.ErrorCode), null, () => true);
                    }
                }

                return outcomes;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves the group's committed offsets of <paramref name="partitions"/> to the earliest or latest offset, the
    /// first record at or after a time, or an explicit offset (clamped to each partition's range), resolved with
    /// ListOffsets; with <paramref name="dryRun"/> only reports where they would go. The group must have no active
    /// members (a group that does not exist yet is fine: it is created with these offsets).
    /// </summary>
    /// <returns>The new offset of each partition, in the order given.</returns>
    /// <exception cref="KafkaException">
    /// The group has active members (<see cref="ErrorCode.NonEmptyGroup"/>), or a partition does not exist.
    /// </exception>
    public async Task<IReadOnlyList<CommittedOffset>> ResetGroupOffsetsAsync(
        string groupId,
        IEnumerable<TopicAndPartition> partitions,
        OffsetResetSpec spec,
        bool dryRun = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(spec);
        List<TopicAndPartition> targets = [.. partitions.Distinct()];
        CheckPartitions(targets);

        GroupDescription group = (await DescribeGroupsCoreAsync([groupId], cancellationToken).ConfigureAwait(false))[0];
        if (group.State is not (GroupState.Empty or GroupState.Dead))
        {
            throw new KafkaException(
                ErrorCode.NonEmptyGroup,
                $"Group '{groupId}' is {group.State} with {group.Members.Count} member(s); offsets can only be reset while it is inactive. Stop its consumers first.");
        }

        Dictionary<TopicAndPartition, long> resolved = await ResolveResetAsync(targets, spec, cancellationToken).ConfigureAwait(false);
        if (!dryRun)
        {
            await AlterGroupOffsetsAsync(groupId, resolved, cancellationToken).ConfigureAwait(false);
        }

        return [.. targets.Select(tp => new CommittedOffset(tp, resolved[tp], -1, string.Empty))];
    }

    /// <summary>
    /// Deletes the group's committed offsets of <paramref name="partitions"/> (OffsetDelete). A consumer group can
    /// lose the offsets of topics its members are not subscribed to; an empty group any of them.
    /// </summary>
    /// <exception cref="KafkaException">
    /// The group does not exist (<see cref="ErrorCode.GroupIdNotFound"/>), or its consumers are subscribed to the topic
    /// (<see cref="ErrorCode.GroupSubscribedToTopic"/>).
    /// </exception>
    public async Task DeleteGroupOffsetsAsync(string groupId, IEnumerable<TopicAndPartition> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentNullException.ThrowIfNull(partitions);
        List<TopicAndPartition> targets = [.. partitions.Distinct()];
        CheckPartitions(targets);
        await RunAsync<TopicAndPartition, bool>(
            "OffsetDelete",
            targets,
            async (pending, ct) =>
            {
                AdminTarget coordinator = await CoordinatorAsync(groupId, ct).ConfigureAwait(false);
                short version = coordinator.Connection.PickVersion(ApiKey.OffsetDelete, 0, 0);
                var request = new OffsetDeleteRequest
                {
                    GroupId = groupId,
                    Topics = [.. pending.GroupBy(p => p.Topic, StringComparer.Ordinal).Select(t => new OffsetDeleteRequest.OffsetDeleteRequestTopic
                    {
                        Name = t.Key,
                        Partitions = [.. t.Select(tp => new OffsetDeleteRequest.OffsetDeleteRequestPartition { PartitionIndex = tp.Partition })],
                    })],
                };
                var response = await coordinator.Connection.SendAsync<OffsetDeleteResponse>(request, version, ct).ConfigureAwait(false);
                if (response.ErrorCode != 0)
                {
                    KafkaException groupError = AdminErrors.For((ErrorCode)response.ErrorCode, AdminErrors.Group(groupId), null);
                    return pending.ToDictionary(p => p, _ => ItemOutcome<bool>.Failed(groupError));
                }

                var outcomes = new Dictionary<TopicAndPartition, ItemOutcome<bool>>();
                foreach (OffsetDeleteResponse.OffsetDeleteResponseTopic topic in response.Topics)
                {
                    foreach (OffsetDeleteResponse.OffsetDeleteResponsePartition p in topic.Partitions)
                    {
                        var tp = new TopicAndPartition(topic.Name, p.PartitionIndex);
                        outcomes[tp] = Outcome(p.ErrorCode, GroupPartitionSubject(groupId, tp, (ErrorCode)p.ErrorCode), null, () => true);
                    }
                }

                return outcomes;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One OffsetFetch; group-level and partition-level errors both fail the (single) item.</summary>
    private static async Task<ItemOutcome<IReadOnlyList<CommittedOffset>>> FetchOffsetsAsync(
        KafkaConnection connection, short version, string groupId, List<TopicAndPartition>? wanted, CancellationToken cancellationToken)
    {
        var request = new OffsetFetchRequest();
        if (version >= 8)
        {
            request.Groups =
            [
                new OffsetFetchRequest.OffsetFetchRequestGroup
                {
                    GroupId = groupId,
                    Topics = wanted?.GroupBy(p => p.Topic, StringComparer.Ordinal)
                        .Select(t => new OffsetFetchRequest.OffsetFetchRequestTopics { Name = t.Key, PartitionIndexes = [.. t.Select(p => p.Partition)] })
                        .ToList(),
                },
            ];
        }
        else
        {
            if (wanted is null && version < 2)
            {
                throw new KafkaException(ErrorCode.UnsupportedVersion, "Listing all of a group's offsets needs OffsetFetch v2 or later.");
            }

            request.GroupId = groupId;
            request.Topics = wanted?.GroupBy(p => p.Topic, StringComparer.Ordinal)
                .Select(t => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = t.Key, PartitionIndexes = [.. t.Select(p => p.Partition)] })
                .ToList();
        }

        var response = await connection.SendAsync<OffsetFetchResponse>(request, version, cancellationToken).ConfigureAwait(false);
        short groupError;
        IEnumerable<(string Topic, int Partition, long Offset, int Epoch, string? Metadata, short Error)> entries;
        if (version >= 8)
        {
            OffsetFetchResponse.OffsetFetchResponseGroup? group = response.Groups.FirstOrDefault(g => g.GroupId == groupId);
            groupError = group?.ErrorCode ?? (short)ErrorCode.UnknownServerError;
            entries = group is null
                ? []
                : group.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata, p.ErrorCode)));
        }
        else
        {
            groupError = response.ErrorCode;
            entries = response.Topics.SelectMany(t => t.Partitions.Select(p => (t.Name, p.PartitionIndex, p.CommittedOffset, p.CommittedLeaderEpoch, p.Metadata, p.ErrorCode)));
        }

        if (groupError != 0)
        {
            return ItemOutcome<IReadOnlyList<CommittedOffset>>.Failed(AdminErrors.For((ErrorCode)groupError, AdminErrors.Group(groupId), null));
        }

        var offsets = new List<CommittedOffset>();
        foreach (var e in entries)
        {
            var tp = new TopicAndPartition(e.Topic, e.Partition);
            if (e.Error != 0)
            {
                return ItemOutcome<IReadOnlyList<CommittedOffset>>.Failed(AdminErrors.For((ErrorCode)e.Error, GroupPartitionSubject(groupId, tp, (ErrorCode)e.Error), null));
            }

            offsets.Add(new CommittedOffset(tp, e.Offset, e.Epoch, e.Metadata));
        }

        return ItemOutcome<IReadOnlyList<CommittedOffset>>.Ok([.. offsets.OrderBy(o => o.Partition.Topic, StringComparer.Ordinal).ThenBy(o => o.Partition.Partition)]);
    }

    /// <summary>Where each partition's offset goes: looked up with ListOffsets, with kafka-consumer-groups' fallbacks.</summary>
    private async Task<Dictionary<TopicAndPartition, long>> ResolveResetAsync(List<TopicAndPartition> targets, OffsetResetSpec spec, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<TopicAndPartition, long>();
        if (spec.Lookup is { } lookup)
        {
            IReadOnlyList<ListedOffset> found = await ListOffsetsAsync(targets, lookup, cancellationToken).ConfigureAwait(false);
            List<TopicAndPartition> noMatch = [.. found.Where(f => f.Offset < 0).Select(f => f.Partition)];
            foreach (ListedOffset f in found.Where(f => f.Offset >= 0))
            {
                resolved[f.Partition] = f.Offset;
            }

            // No record at or after the time: the group would read nothing, so point it at the end.
            if (noMatch.Count > 0)
            {
                foreach (ListedOffset latest in await ListOffsetsAsync(noMatch, OffsetSpec.Latest, cancellationToken).ConfigureAwait(false))
                {
                    resolved[latest.Partition] = latest.Offset;
                }
            }

            return resolved;
        }

        Dictionary<TopicAndPartition, long> earliest = (await ListOffsetsAsync(targets, OffsetSpec.Earliest, cancellationToken).ConfigureAwait(false))
            .ToDictionary(o => o.Partition, o => o.Offset);
        Dictionary<TopicAndPartition, long> end = (await ListOffsetsAsync(targets, OffsetSpec.Latest, cancellationToken).ConfigureAwait(false))
            .ToDictionary(o => o.Partition, o => o.Offset);
        foreach (TopicAndPartition tp in targets)
        {
            resolved[tp] = Math.Clamp(spec.Offset, earliest[tp], Math.Max(earliest[tp], end[tp]));
        }

        return resolved;
    }

    /// <summary>Errors about the group as a whole read best with the group as subject; the rest name the partition too.</summary>
    private static string GroupPartitionSubject(string groupId, TopicAndPartition tp, ErrorCode error) => error switch
    {
        ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress or ErrorCode.FencedInstanceId
            or ErrorCode.NonEmptyGroup or ErrorCode.GroupIdNotFound or ErrorCode.InvalidGroupId
            or ErrorCode.CoordinatorNotAvailable or ErrorCode.NotCoordinator or ErrorCode.CoordinatorLoadInProgress => AdminErrors.Group(groupId),
        ErrorCode.UnknownTopicOrPartition => AdminErrors.Partition(tp),
        _ => $"Group '{groupId}', partition {tp}",
    };
}
