using FastLog.Engine.Log;
using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>Committed offsets, persistence, start-up replay and offset expiry.</summary>
internal sealed partial class GroupCoordinator
{
    /// <summary>
    /// Commits offsets; the task completes once they are durable in the store. Kafka's checks: a
    /// generation below 0 on an empty (or unknown) group is a standalone commit; otherwise the member
    /// and generation must match, and no commit is accepted while the leader's assignment is awaited.
    /// </summary>
    public async Task<IReadOnlyList<ErrorCode>> CommitOffsetsAsync(string groupId, string memberId, string? groupInstanceId, int generation, IReadOnlyList<OffsetCommitEntry> entries)
    {
        if (groupId.Length == 0)
        {
            return entries.Select(_ => ErrorCode.InvalidGroupId).ToList();
        }

        var group = TryGetGroup(groupId);
        if (group is null)
        {
            if (generation >= 0)
            {
                return entries.Select(_ => ErrorCode.IllegalGeneration).ToList();
            }

            group = _groups.GetOrAdd(groupId, id => new ConsumerGroup(id) { StateTimestampMs = NowMs });
        }

        var errors = new ErrorCode[entries.Count];
        var written = new List<(TopicPartition Tp, CommittedOffset Offset)>();
        Task<ErrorCode> stored;
        lock (group)
        {
            var groupError = ValidateCommit(group, memberId, groupInstanceId, generation);
            if (groupError != ErrorCode.None)
            {
                return entries.Select(_ => groupError).ToList();
            }

            long now = NowMs;
            var records = new List<GroupStoreRecord>(entries.Count);
            for (int i = 0; i < entries.Count; i++)
            {
                var e = entries[i];
                if (_partitionExists is not null && !_partitionExists(e.Topic, e.Partition))
                {
                    errors[i] = ErrorCode.UnknownTopicOrPartition;
                    continue;
                }

                string metadata = e.Metadata ?? string.Empty;
                if (metadata.Length > _config.OffsetMetadataMaxBytes)
                {
                    errors[i] = ErrorCode.OffsetMetadataTooLarge;
                    continue;
                }

                var offset = new CommittedOffset(e.Offset, e.LeaderEpoch, metadata, now, ++group.NextSequence);
                written.Add((new TopicPartition(e.Topic, e.Partition), offset));
                records.Add(new GroupStoreRecord(GroupRecordSerde.OffsetKey(groupId, e.Topic, e.Partition), GroupRecordSerde.OffsetValue(offset)));
            }

            if (records.Count == 0)
            {
                return errors;
            }

            stored = _store.AppendAsync(groupId, records);
        }

        var error = await stored.ConfigureAwait(false);
        lock (group)
        {
            if (error == ErrorCode.None)
            {
                foreach (var (tp, offset) in written)
                {
                    // A later commit of the same partition may have become durable first: keep the newest.
                    if (!group.Offsets.TryGetValue(tp, out var existing) || existing.Sequence < offset.Sequence)
                    {
                        group.Offsets[tp] = offset;
                    }
                }
            }
        }

        if (error != ErrorCode.None)
        {
            for (int i = 0; i < errors.Length; i++)
            {
                if (errors[i] == ErrorCode.None)
                {
                    errors[i] = error;
                }
            }
        }

        return errors;
    }

    private ErrorCode ValidateCommit(ConsumerGroup group, string memberId, string? groupInstanceId, int generation)
    {
        if (group.State == GroupState.Dead)
        {
            return ErrorCode.CoordinatorNotAvailable;
        }

        if (generation < 0 && group.State == GroupState.Empty)
        {
            return ErrorCode.None;
        }

        if (group.State == GroupState.CompletingRebalance)
        {
            return ErrorCode.RebalanceInProgress;
        }

        if (ValidateMember(group, memberId, groupInstanceId) is { } memberError)
        {
            return memberError;
        }

        if (generation != group.Generation)
        {
            return ErrorCode.IllegalGeneration;
        }

        // A commit proves the member is alive, as a heartbeat does.
        RearmSession(group, group.Members[memberId]);
        return ErrorCode.None;
    }

    /// <summary>Committed offsets of a group; <paramref name="topics"/> null means every committed partition.</summary>
    public IReadOnlyList<OffsetFetchEntry> FetchOffsets(string groupId, IReadOnlyList<(string Topic, IReadOnlyList<int> Partitions)>? topics)
    {
        var result = new List<OffsetFetchEntry>();
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            foreach (var (topic, partitions) in topics ?? [])
            {
                result.AddRange(partitions.Select(p => new OffsetFetchEntry(topic, p, -1, -1, string.Empty, ErrorCode.None)));
            }

            return result;
        }

        lock (group)
        {
            if (topics is null)
            {
                foreach (var (tp, o) in group.Offsets.OrderBy(kv => kv.Key.Topic, StringComparer.Ordinal).ThenBy(kv => kv.Key.Partition))
                {
                    result.Add(new OffsetFetchEntry(tp.Topic, tp.Partition, o.Offset, o.LeaderEpoch, o.Metadata, ErrorCode.None));
                }

                return result;
            }

            foreach (var (topic, partitions) in topics)
            {
                foreach (int p in partitions)
                {
                    result.Add(group.Offsets.TryGetValue(new TopicPartition(topic, p), out var o)
                        ? new OffsetFetchEntry(topic, p, o.Offset, o.LeaderEpoch, o.Metadata, ErrorCode.None)
                        : new OffsetFetchEntry(topic, p, -1, -1, string.Empty, ErrorCode.None));
                }
            }

            return result;
        }
    }

    /// <summary>Committed offset against log end per partition the group has committed (for CLI and metrics).</summary>
    public IReadOnlyList<PartitionLag> GetLag(string groupId)
    {
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            return [];
        }

        List<(TopicPartition Tp, long Offset)> committed;
        lock (group)
        {
            committed = group.Offsets.Select(kv => (kv.Key, kv.Value.Offset)).ToList();
        }

        return committed
            .OrderBy(c => c.Tp.Topic, StringComparer.Ordinal).ThenBy(c => c.Tp.Partition)
            .Select(c => new PartitionLag(c.Tp.Topic, c.Tp.Partition, c.Offset, _logEndOffset?.Invoke(c.Tp.Topic, c.Tp.Partition) ?? -1))
            .ToList();
    }

    /// <summary>
    /// Drops committed offsets past offsets.retention.minutes: for an empty group counted from when it
    /// became empty, for a group that only stores offsets from each commit. Empty groups left without
    /// offsets are removed. Runs on a timer; public for tests.
    /// </summary>
    public void ExpireOffsets()
    {
        long now = NowMs;
        foreach (var group in _groups.Values)
        {
            lock (group)
            {
                if (group.State != GroupState.Empty)
                {
                    continue;
                }

                var expired = group.Offsets
                    .Where(kv => (group.ProtocolType is null ? kv.Value.CommitTimestampMs : group.StateTimestampMs) + _config.OffsetsRetentionMs <= now)
                    .Select(kv => kv.Key)
                    .ToList();
                var records = new List<GroupStoreRecord>();
                foreach (var tp in expired)
                {
                    group.Offsets.Remove(tp);
                    records.Add(new GroupStoreRecord(GroupRecordSerde.OffsetKey(group.GroupId, tp.Topic, tp.Partition), null));
                }

                if (group.Offsets.Count == 0)
                {
                    records.Add(new GroupStoreRecord(GroupRecordSerde.GroupKey(group.GroupId), null));
                    group.TransitionTo(GroupState.Dead, now);
                    _groups.TryRemove(new KeyValuePair<string, ConsumerGroup>(group.GroupId, group));
                }

                if (records.Count > 0)
                {
                    // Tombstones need not be waited for: losing one only means the offset expires again after a restart.
                    _ = _store.AppendAsync(group.GroupId, records);
                }
            }
        }
    }

    /// <summary>Appends the group's metadata record (called under the group lock).</summary>
    private Task<ErrorCode> PersistGroup(ConsumerGroup group)
    {
        var members = group.Members.Values.Select(m => new StoredMember(
            m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.SessionTimeoutMs, m.RebalanceTimeoutMs,
            group.ProtocolName is null ? [] : m.MetadataFor(group.ProtocolName) ?? [], m.Assignment)).ToList();
        var value = new StoredGroup(group.ProtocolType ?? string.Empty, group.Generation, group.ProtocolName, group.LeaderId, group.StateTimestampMs, members);
        return _store.AppendAsync(group.GroupId, [new GroupStoreRecord(GroupRecordSerde.GroupKey(group.GroupId), GroupRecordSerde.GroupValue(value))]);
    }

    /// <summary>Replays the store: the last record per key wins, tombstones delete. Groups with members come back Stable and must heartbeat.</summary>
    private void Load()
    {
        var stored = new Dictionary<string, StoredGroup?>(StringComparer.Ordinal);
        foreach (var record in _store.ReadAll())
        {
            if (!GroupRecordSerde.TryReadKey(record.Key, out string groupId, out string? topic, out int partition))
            {
                continue;
            }

            if (topic is null)
            {
                if (record.Value is null)
                {
                    stored.Remove(groupId);
                    _groups.TryRemove(groupId, out _);
                }
                else
                {
                    stored[groupId] = GroupRecordSerde.ReadGroupValue(record.Value);
                    _groups.GetOrAdd(groupId, id => new ConsumerGroup(id));
                }

                continue;
            }

            var tp = new TopicPartition(topic, partition);
            if (record.Value is null)
            {
                if (_groups.TryGetValue(groupId, out var g))
                {
                    g.Offsets.Remove(tp);
                }

                continue;
            }

            var group = _groups.GetOrAdd(groupId, id => new ConsumerGroup(id));
            group.Offsets[tp] = GroupRecordSerde.ReadOffsetValue(record.Value, ++group.NextSequence);
        }

        long now = NowMs;
        foreach (var (groupId, value) in stored)
        {
            if (value is null || !_groups.TryGetValue(groupId, out var old))
            {
                continue;
            }

            var group = value.Members.Count > 0 && value.ProtocolName is not null ? new ConsumerGroup(groupId, GroupState.Stable) : old;
            if (!ReferenceEquals(group, old))
            {
                foreach (var (tp, o) in old.Offsets)
                {
                    group.Offsets[tp] = o;
                }

                group.NextSequence = old.NextSequence;
                _groups[groupId] = group;
            }

            lock (group)
            {
                group.Generation = value.Generation;
                group.ProtocolType = value.ProtocolType.Length == 0 ? null : value.ProtocolType;
                group.ProtocolName = value.ProtocolName;
                group.LeaderId = value.LeaderId;
                group.StateTimestampMs = value.StateTimestampMs >= 0 ? value.StateTimestampMs : now;
                if (group.State != GroupState.Stable)
                {
                    continue;
                }

                foreach (var m in value.Members)
                {
                    var member = new GroupMember(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.SessionTimeoutMs, m.RebalanceTimeoutMs, [new GroupProtocol(value.ProtocolName!, m.Subscription)])
                    {
                        Assignment = m.Assignment,
                        SyncedGeneration = value.Generation,
                    };
                    group.Members[m.MemberId] = member;
                    if (m.GroupInstanceId is not null)
                    {
                        group.StaticMembers[m.GroupInstanceId] = m.MemberId;
                    }

                    RearmSession(group, member);
                }
            }
        }
    }
}
