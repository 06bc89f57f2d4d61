using FastLog.Client.Consumer.Assignment;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Consumer;

/// <summary>Rebalancing: preparing, JoinGroup, leader assignment, SyncGroup, and handing the steps to the consuming thread.</summary>
internal sealed partial class GroupMembership
{
    /// <summary>One rebalance as this member sees it: prepare, join, (lead,) sync, then apply the new assignment.</summary>
    private async Task JoinAndSyncAsync(CancellationToken stop)
    {
        await PrepareJoinAsync(stop).ConfigureAwait(false);
        lock (_gate)
        {
            _rejoinNeeded = false;
        }

        JoinGroupResponse join = await JoinAsync(stop).ConfigureAwait(false);
        bool leader = join.Leader == join.MemberId;
        List<SyncGroupRequest.SyncGroupRequestAssignment> assignments = leader && !join.SkipAssignment
            ? await AssignAsync(join, stop).ConfigureAwait(false)
            : [];
        _isLeader = leader;

        SyncGroupResponse sync = await _link.SendAsync<SyncGroupResponse>(
            connection => (new SyncGroupRequest
            {
                GroupId = _link.GroupId,
                GenerationId = join.GenerationId,
                MemberId = join.MemberId,
                GroupInstanceId = _options.GroupInstanceId,
                ProtocolType = ConsumerProtocol.ProtocolType,
                ProtocolName = join.ProtocolName,
                Assignments = assignments,
            }, connection.PickVersion(ApiKey.SyncGroup, 0, 5)),
            stop,
            _options.MaxPollInterval + _options.RequestTimeout).ConfigureAwait(false);
        var error = (ErrorCode)sync.ErrorCode;
        if (error != ErrorCode.None)
        {
            HandleJoinError("SyncGroup", error);
            return;
        }

        List<TopicPartition> assigned = ConsumerProtocol.ReadAssignment(sync.Assignment);
        assigned.Sort();
        List<TopicPartition> owned;
        lock (_gate)
        {
            _generation = join.GenerationId;
            _memberId = join.MemberId;
            owned = [.. _owned];
        }

        ConsumerLog.Joined(_logger, _link.GroupId, join.MemberId, join.GenerationId, join.ProtocolName ?? "?", leader, assigned);
        GroupAction action;
        if (IsCooperative)
        {
            var revoked = owned.Except(assigned).Order().ToList();
            action = new GroupAction
            {
                Revoked = revoked,
                Assigned = [.. assigned.Except(owned).Order()],
                CommitRevoked = _options.EnableAutoCommit,
            };
            if (revoked.Count > 0)
            {
                // The partitions taken away can only reach their new owner in a follow-up rebalance.
                RequestRejoin("partitions were revoked in a cooperative rebalance");
            }
        }
        else
        {
            action = new GroupAction { Assigned = assigned };
        }

        if (!await RunOnConsumerAsync(action, stop).ConfigureAwait(false))
        {
            return;
        }

        lock (_gate)
        {
            _owned = [.. _owned.Except(action.Revoked).Union(action.Assigned ?? []).Order()];
        }
    }

    /// <summary>Before joining: lost partitions are dropped; with eager rebalancing everything is revoked.</summary>
    private async Task PrepareJoinAsync(CancellationToken stop)
    {
        List<TopicPartition> owned;
        bool lost;
        lock (_gate)
        {
            owned = [.. _owned];
            lost = _lostPending || _generation < 0;
            _lostPending = false;
        }

        if (owned.Count == 0)
        {
            return;
        }

        GroupAction action;
        if (lost)
        {
            action = new GroupAction { Lost = owned };
        }
        else if (!IsCooperative)
        {
            action = new GroupAction { Revoked = owned, CommitRevoked = _options.EnableAutoCommit };
        }
        else
        {
            return;
        }

        if (!await RunOnConsumerAsync(action, stop).ConfigureAwait(false))
        {
            // Left the group meanwhile: drop whatever is still held, then join as a new member.
            await PrepareJoinAsync(stop).ConfigureAwait(false);
            return;
        }

        lock (_gate)
        {
            _owned = [];
        }
    }

    private async Task<JoinGroupResponse> JoinAsync(CancellationToken stop)
    {
        while (true)
        {
            string memberId;
            List<TopicPartition> owned;
            int generation;
            lock (_gate)
            {
                memberId = _memberId;
                owned = [.. _owned];
                generation = _generation;
            }

            byte[] metadata = ConsumerProtocol.WriteSubscription(new ConsumerSubscription(
                _subscription.Topics, null, owned, generation, _options.ClientRack));
            JoinGroupResponse join = await _link.SendAsync<JoinGroupResponse>(
                connection => (new JoinGroupRequest
                {
                    GroupId = _link.GroupId,
                    SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds,
                    RebalanceTimeoutMs = (int)_options.MaxPollInterval.TotalMilliseconds,
                    MemberId = memberId,
                    GroupInstanceId = _options.GroupInstanceId,
                    ProtocolType = ConsumerProtocol.ProtocolType,
                    Protocols = [.. _assignors.Select(a => new JoinGroupRequest.JoinGroupRequestProtocol { Name = a.Name, Metadata = metadata })],
                }, connection.PickVersion(ApiKey.JoinGroup, 0, 9)),
                stop,
                _options.MaxPollInterval + _options.RequestTimeout).ConfigureAwait(false);
            var error = (ErrorCode)join.ErrorCode;
            switch (error)
            {
                case ErrorCode.None:
                    return join;
                case ErrorCode.MemberIdRequired:
                    // KIP-394: the coordinator hands out the id first; join again with it.
                    lock (_gate)
                    {
                        _memberId = join.MemberId;
                    }

                    continue;
                case ErrorCode.RebalanceInProgress:
                    continue;
                default:
                    HandleJoinError("JoinGroup", error);
                    await DelayAsync(_options.RetryBackoff, stop).ConfigureAwait(false);
                    continue;
            }
        }
    }

    /// <summary>JoinGroup/SyncGroup errors: reset what Java resets; throw what cannot be retried here.</summary>
    private void HandleJoinError(string request, ErrorCode error)
    {
        ConsumerLog.JoinStepFailed(_logger, _link.GroupId, request, error);
        lock (_gate)
        {
            _rejoinNeeded = true;
            switch (error)
            {
                case ErrorCode.RebalanceInProgress:
                    return;
                case ErrorCode.UnknownMemberId:
                    _memberId = string.Empty;
                    _generation = -1;
                    return;
                case ErrorCode.IllegalGeneration:
                    _generation = -1;
                    return;
            }
        }

        throw new KafkaException(error, $"{request} for group {_link.GroupId} failed with {error}.");
    }

    /// <summary>As leader: reads every member's subscription, refreshes their topics' metadata and runs the assignor.</summary>
    private async Task<List<SyncGroupRequest.SyncGroupRequestAssignment>> AssignAsync(JoinGroupResponse join, CancellationToken stop)
    {
        IPartitionAssignor assignor = _assignors.FirstOrDefault(a => a.Name == join.ProtocolName)
            ?? throw new KafkaException(ErrorCode.InconsistentGroupProtocol, $"The group chose assignor '{join.ProtocolName}', which this member did not offer.");
        var members = join.Members
            .Select(m => new AssignorMember(m.MemberId, m.GroupInstanceId, ConsumerProtocol.ReadSubscription(m.Metadata)))
            .ToList();
        var topics = new HashSet<string>(members.SelectMany(m => m.Subscription.Topics), StringComparer.Ordinal);
        ClusterMetadata metadata = await _cluster.RefreshAsync(topics, stop).ConfigureAwait(false);
        var partitionsPerTopic = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string topic in topics)
        {
            if (metadata.Topics.TryGetValue(topic, out TopicMetadata? found) && found.Error == ErrorCode.None && found.Partitions.Count > 0)
            {
                partitionsPerTopic[topic] = found.Partitions.Count;
            }
        }

        _groupTopics = topics;
        _assignedTopicPartitions = partitionsPerTopic;
        Dictionary<string, List<TopicPartition>> result = assignor.Assign(partitionsPerTopic, members, IsCooperative && assignor.SupportsCooperative);
        int partitionCount = partitionsPerTopic.Values.Sum();
        ConsumerLog.AssignmentComputed(_logger, _link.GroupId, assignor.Name, members.Count, partitionCount);
        return [.. result.Select(r => new SyncGroupRequest.SyncGroupRequestAssignment
        {
            MemberId = r.Key,
            Assignment = ConsumerProtocol.WriteAssignment(r.Value),
        })];
    }

    /// <summary>The leader rejoins when a group topic appears, disappears or changes its partition count.</summary>
    private async Task CheckMetadataAsync(CancellationToken stop)
    {
        if (!_isLeader || _groupTopics.Count == 0)
        {
            return;
        }

        bool missing = _groupTopics.Any(t => !_assignedTopicPartitions.ContainsKey(t));
        if (!missing && !_cluster.MetadataIsStale)
        {
            return;
        }

        ClusterMetadata metadata = await _cluster.RefreshAsync(_groupTopics, stop).ConfigureAwait(false);
        foreach (string topic in _groupTopics)
        {
            int now = metadata.Topics.TryGetValue(topic, out TopicMetadata? found) && found.Error == ErrorCode.None ? found.Partitions.Count : 0;
            int before = _assignedTopicPartitions.GetValueOrDefault(topic);
            if (now != before)
            {
                RequestRejoin($"topic {topic} now has {now} partitions (was {before})");
                return;
            }
        }
    }

    /// <summary>
    /// Hands a step to the consuming thread and heartbeats until it is applied. If the application stays away
    /// for <c>max.poll.interval.ms</c> meanwhile, the member leaves (so the rest of the group can go on) and the
    /// step becomes "everything held is lost", as the Java client's heartbeat thread does.
    /// </summary>
    /// <returns>False when the step was abandoned (the member left the group meanwhile).</returns>
    private async Task<bool> RunOnConsumerAsync(GroupAction action, CancellationToken stop)
    {
        Task done = _runOnConsumer(action);
        while (!done.IsCompleted)
        {
            Task tick = Task.Delay(_options.HeartbeatInterval, stop);
            if (await Task.WhenAny(done, tick).ConfigureAwait(false) != tick)
            {
                break;
            }

            stop.ThrowIfCancellationRequested();
            if (!action.Abandoned && PollTimedOut())
            {
                ConsumerLog.PollTimeout(_logger, _link.GroupId, _options.MaxPollInterval.TotalMilliseconds);
                action.Abandon();
                await LeaveAsync("consumer poll timeout has expired", stop).ConfigureAwait(false);
                continue;
            }

            try
            {
                await HeartbeatAsync(stop).ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                ConsumerLog.GroupRequestFailed(_logger, _link.GroupId, e.Error, e.Message);
            }
        }

        try
        {
            await done.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The consumer closed before applying the step; closing handles the partitions.
            stop.ThrowIfCancellationRequested();
            throw;
        }

        if (!action.Abandoned)
        {
            return true;
        }

        // Whatever the consuming thread still holds is lost; rejoin as a new member.
        lock (_gate)
        {
            _owned = _subscription.AssignedPartitions();
            _lostPending = _owned.Count > 0;
            _rejoinNeeded = true;
        }

        return false;
    }
}
