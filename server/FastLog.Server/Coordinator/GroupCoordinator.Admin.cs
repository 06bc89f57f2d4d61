using FastLog.Engine.Log;
using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>ListGroups, DescribeGroups, DeleteGroups and OffsetDelete.</summary>
internal sealed partial class GroupCoordinator
{
    public IReadOnlyList<GroupOverview> ListGroups()
    {
        var result = new List<GroupOverview>();
        foreach (var group in _groups.Values)
        {
            lock (group)
            {
                if (group.State != GroupState.Dead)
                {
                    result.Add(new GroupOverview(group.GroupId, group.ProtocolType ?? string.Empty, group.State));
                }
            }
        }

        return result.OrderBy(g => g.GroupId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Kafka's summary: protocol, member metadata and assignments only while Stable; an unknown group is reported Dead.</summary>
    public GroupDescription DescribeGroup(string groupId)
    {
        if (groupId.Length == 0)
        {
            return new GroupDescription(ErrorCode.InvalidGroupId, groupId, GroupState.Dead, string.Empty, string.Empty, []);
        }

        var group = TryGetGroup(groupId);
        if (group is null)
        {
            return new GroupDescription(ErrorCode.None, groupId, GroupState.Dead, string.Empty, string.Empty, []);
        }

        lock (group)
        {
            bool stable = group.State == GroupState.Stable;
            var members = group.Members.Values.Select(m => new MemberDescription(
                m.MemberId,
                m.GroupInstanceId,
                m.ClientId,
                m.ClientHost,
                stable ? m.MetadataFor(group.ProtocolName!) ?? [] : [],
                stable ? m.Assignment : [])).ToList();
            return new GroupDescription(ErrorCode.None, groupId, group.State, group.ProtocolType ?? string.Empty, stable ? group.ProtocolName ?? string.Empty : string.Empty, members);
        }
    }

    /// <summary>Deletes an empty group and its offsets (tombstones, durable before the answer).</summary>
    public async Task<ErrorCode> DeleteGroupAsync(string groupId)
    {
        if (groupId.Length == 0)
        {
            return ErrorCode.InvalidGroupId;
        }

        var group = TryGetGroup(groupId);
        if (group is null)
        {
            return ErrorCode.GroupIdNotFound;
        }

        Task<ErrorCode> stored;
        lock (group)
        {
            if (group.State == GroupState.Dead)
            {
                return ErrorCode.GroupIdNotFound;
            }

            if (group.State != GroupState.Empty)
            {
                return ErrorCode.NonEmptyGroup;
            }

            var records = group.Offsets.Keys.Select(tp => new GroupStoreRecord(GroupRecordSerde.OffsetKey(groupId, tp.Topic, tp.Partition), null)).ToList();
            records.Add(new GroupStoreRecord(GroupRecordSerde.GroupKey(groupId), null));
            group.Offsets.Clear();
            group.TransitionTo(GroupState.Dead, NowMs);
            _groups.TryRemove(new KeyValuePair<string, ConsumerGroup>(groupId, group));
            stored = _store.AppendAsync(groupId, records);
        }

        return await stored.ConfigureAwait(false);
    }

    /// <summary>
    /// OffsetDelete: removes committed offsets, except of topics the group's consumers are subscribed
    /// to (GROUP_SUBSCRIBED_TO_TOPIC); a non-consumer group with members refuses with NON_EMPTY_GROUP.
    /// </summary>
    public async Task<(ErrorCode Error, IReadOnlyList<ErrorCode> PartitionErrors)> DeleteOffsetsAsync(string groupId, IReadOnlyList<(string Topic, int Partition)> partitions)
    {
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            return (ErrorCode.GroupIdNotFound, []);
        }

        var errors = new ErrorCode[partitions.Count];
        Task<ErrorCode>? stored = null;
        lock (group)
        {
            if (group.State == GroupState.Dead)
            {
                return (ErrorCode.GroupIdNotFound, []);
            }

            HashSet<string>? subscribed = null;
            if (group.State != GroupState.Empty)
            {
                if (group.ProtocolType != "consumer")
                {
                    return (ErrorCode.NonEmptyGroup, []);
                }

                subscribed = SubscribedTopics(group);
            }

            var records = new List<GroupStoreRecord>();
            for (int i = 0; i < partitions.Count; i++)
            {
                var (topic, partition) = partitions[i];
                if (subscribed is not null && (subscribed.Count == 0 || subscribed.Contains(topic)))
                {
                    // An empty set means a subscription could not be read: refuse rather than delete live offsets.
                    errors[i] = ErrorCode.GroupSubscribedToTopic;
                    continue;
                }

                if (group.Offsets.Remove(new TopicPartition(topic, partition)))
                {
                    records.Add(new GroupStoreRecord(GroupRecordSerde.OffsetKey(groupId, topic, partition), null));
                }
            }

            if (records.Count > 0)
            {
                stored = _store.AppendAsync(groupId, records);
            }
        }

        if (stored is not null)
        {
            var error = await stored.ConfigureAwait(false);
            if (error != ErrorCode.None)
            {
                return (error, []);
            }
        }

        return (ErrorCode.None, errors);
    }

    private static HashSet<string> SubscribedTopics(ConsumerGroup group)
    {
        var topics = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in group.Members.Values)
        {
            var metadata = group.ProtocolName is null ? (m.Protocols.Count > 0 ? m.Protocols[0].Metadata : null) : m.MetadataFor(group.ProtocolName);
            if (metadata is null || !ConsumerSubscription.TryReadTopics(metadata, topics))
            {
                return [];
            }
        }

        return topics;
    }
}
