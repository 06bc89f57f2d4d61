using System.Collections.Concurrent;
using FastLog.Engine.Log;
using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>
/// The classic group coordinator: runs each group's state machine (Empty → PreparingRebalance →
/// CompletingRebalance → Stable), lets clients pick assignments (the leader gets every member's
/// metadata, SyncGroup hands out what it sent), expires silent members, and keeps committed offsets,
/// persisted through an <see cref="IGroupStore"/> before a commit is acknowledged. All time comes from
/// the <see cref="TimeProvider"/>: every deadline is a timer, nothing sleeps.
/// </summary>
internal sealed partial class GroupCoordinator : IDisposable
{
    private readonly ConcurrentDictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private readonly IGroupStore _store;
    private readonly TimeProvider _time;
    private readonly GroupCoordinatorConfig _config;
    private readonly Func<string, int, long>? _logEndOffset;
    private readonly Func<string, int, bool>? _partitionExists;
    private ITimer? _expiryTimer;

    /// <param name="logEndOffset">The high watermark of a partition, -1 when unknown (for lag).</param>
    /// <param name="partitionExists">Whether a topic partition exists (commits to unknown ones are refused); null accepts all.</param>
    public GroupCoordinator(IGroupStore store, TimeProvider time, GroupCoordinatorConfig config, Func<string, int, long>? logEndOffset = null, Func<string, int, bool>? partitionExists = null)
    {
        _store = store;
        _time = time;
        _config = config;
        _logEndOffset = logEndOffset;
        _partitionExists = partitionExists;
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Rebuilds groups and offsets from the store, then starts the offset-expiry timer.</summary>
    public void Start()
    {
        Load();
        var interval = TimeSpan.FromMilliseconds(Math.Min(_config.OffsetsRetentionCheckIntervalMs, _config.OffsetsRetentionMs));
        _expiryTimer = _time.CreateTimer(_ => ExpireOffsets(), null, interval, interval);
    }

    public void Dispose()
    {
        _expiryTimer?.Dispose();
        foreach (var group in _groups.Values)
        {
            lock (group)
            {
                group.RebalanceTimer?.Dispose();
                foreach (var timer in group.PendingMembers.Values)
                {
                    timer.Dispose();
                }

                foreach (var m in group.Members.Values)
                {
                    m.SessionTimer?.Dispose();
                    m.Fail(ErrorCode.CoordinatorNotAvailable);
                }
            }
        }
    }

    /// <summary>The group object for tests and tools; null when unknown.</summary>
    internal ConsumerGroup? TryGetGroup(string groupId) => _groups.TryGetValue(groupId, out var g) ? g : null;

    public GroupState? StateOf(string groupId)
    {
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            return null;
        }

        lock (group)
        {
            return group.State;
        }
    }

    // ---------------------------------------------------------------- JoinGroup

    public Task<JoinGroupResult> JoinGroupAsync(JoinGroupParams join)
    {
        if (join.GroupId.Length == 0)
        {
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InvalidGroupId, join.MemberId));
        }

        if (join.SessionTimeoutMs < _config.MinSessionTimeoutMs || join.SessionTimeoutMs > _config.MaxSessionTimeoutMs)
        {
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InvalidSessionTimeout, join.MemberId));
        }

        var group = join.MemberId.Length == 0 ? _groups.GetOrAdd(join.GroupId, id => new ConsumerGroup(id) { StateTimestampMs = NowMs }) : TryGetGroup(join.GroupId);
        if (group is null)
        {
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, join.MemberId));
        }

        lock (group)
        {
            if (group.State == GroupState.Dead)
            {
                // Deleted meanwhile: the client retries and finds a fresh group.
                return Task.FromResult(JoinGroupResult.Failed(ErrorCode.CoordinatorNotAvailable, join.MemberId));
            }

            if (!group.Accepts(join.ProtocolType, join.Protocols))
            {
                return Task.FromResult(JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, join.MemberId));
            }

            return join.MemberId.Length == 0 ? JoinUnknownMember(group, join) : JoinKnownMember(group, join);
        }
    }

    private Task<JoinGroupResult> JoinUnknownMember(ConsumerGroup group, JoinGroupParams join)
    {
        string newId = (join.GroupInstanceId ?? join.ClientId) + "-" + Guid.NewGuid().ToString("D");
        if (join.GroupInstanceId is not null)
        {
            if (group.StaticMembers.TryGetValue(join.GroupInstanceId, out var oldId) && group.Members.TryGetValue(oldId, out var old))
            {
                return ReplaceStaticMember(group, old, newId, join);
            }

            return AddMemberAndRebalance(group, newId, join);
        }

        if (join.RequireKnownMemberId)
        {
            // KIP-394: hand out the id first, so a client that times out and retries does not leave a ghost member behind.
            var timer = _time.CreateTimer(_ => ExpirePendingMember(group, newId), null, TimeSpan.FromMilliseconds(join.SessionTimeoutMs), Timeout.InfiniteTimeSpan);
            group.PendingMembers[newId] = timer;
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.MemberIdRequired, newId));
        }

        return AddMemberAndRebalance(group, newId, join);
    }

    private Task<JoinGroupResult> JoinKnownMember(ConsumerGroup group, JoinGroupParams join)
    {
        if (group.PendingMembers.Remove(join.MemberId, out var pendingTimer))
        {
            pendingTimer.Dispose();
            return AddMemberAndRebalance(group, join.MemberId, join);
        }

        if (!group.Members.TryGetValue(join.MemberId, out var member))
        {
            bool fenced = join.GroupInstanceId is not null && group.StaticMembers.ContainsKey(join.GroupInstanceId);
            return Task.FromResult(JoinGroupResult.Failed(fenced ? ErrorCode.FencedInstanceId : ErrorCode.UnknownMemberId, join.MemberId));
        }

        if (member.GroupInstanceId != join.GroupInstanceId)
        {
            return Task.FromResult(JoinGroupResult.Failed(ErrorCode.FencedInstanceId, join.MemberId));
        }

        switch (group.State)
        {
            case GroupState.PreparingRebalance:
                return UpdateMemberAndRebalance(group, member, join);
            case GroupState.CompletingRebalance:
                if (member.SameProtocols(join.Protocols))
                {
                    // The member lost the join answer: give it again without a new rebalance.
                    RearmSession(group, member);
                    return Task.FromResult(CurrentJoinResult(group, member));
                }

                return UpdateMemberAndRebalance(group, member, join);
            case GroupState.Stable:
                if (group.IsLeader(member.MemberId) || !member.SameProtocols(join.Protocols))
                {
                    // The leader rejoining means it wants a new assignment (e.g. its subscription's metadata changed).
                    return UpdateMemberAndRebalance(group, member, join);
                }

                RearmSession(group, member);
                return Task.FromResult(CurrentJoinResult(group, member));
            default:
                return Task.FromResult(JoinGroupResult.Failed(ErrorCode.UnknownMemberId, join.MemberId));
        }
    }

    private Task<JoinGroupResult> AddMemberAndRebalance(ConsumerGroup group, string memberId, JoinGroupParams join)
    {
        var member = new GroupMember(memberId, join.GroupInstanceId, join.ClientId, join.ClientHost, join.SessionTimeoutMs, join.RebalanceTimeoutMs, join.Protocols);
        var pending = NewJoin();
        member.PendingJoin = pending;
        if (group.Members.Count == 0)
        {
            group.ProtocolType = join.ProtocolType;
        }

        group.Members[memberId] = member;
        group.LeaderId ??= memberId;
        if (join.GroupInstanceId is not null)
        {
            group.StaticMembers[join.GroupInstanceId] = memberId;
        }

        RearmSession(group, member);
        if (group.InInitialDelay)
        {
            group.JoinedDuringInitialDelay = true;
        }

        if (group.State == GroupState.PreparingRebalance)
        {
            TryCompleteJoin(group);
        }
        else
        {
            PrepareRebalance(group);
        }

        return pending.Task;
    }

    private Task<JoinGroupResult> UpdateMemberAndRebalance(ConsumerGroup group, GroupMember member, JoinGroupParams join)
    {
        member.Protocols = join.Protocols;
        member.SessionTimeoutMs = join.SessionTimeoutMs;
        member.RebalanceTimeoutMs = join.RebalanceTimeoutMs;
        member.ClientId = join.ClientId;
        member.ClientHost = join.ClientHost;
        member.CompleteJoin(JoinGroupResult.Failed(ErrorCode.RebalanceInProgress, member.MemberId));
        var pending = NewJoin();
        member.PendingJoin = pending;
        RearmSession(group, member);
        if (group.State == GroupState.PreparingRebalance)
        {
            TryCompleteJoin(group);
        }
        else
        {
            PrepareRebalance(group);
        }

        return pending.Task;
    }

    /// <summary>
    /// A known group.instance.id joins with a new member id: the old member is fenced and replaced. In
    /// a stable group the new member takes the old one's assignment without a rebalance (KIP-345).
    /// </summary>
    private Task<JoinGroupResult> ReplaceStaticMember(ConsumerGroup group, GroupMember old, string newId, JoinGroupParams join)
    {
        old.Fail(ErrorCode.FencedInstanceId);
        old.SessionTimer?.Dispose();
        group.Members.Remove(old.MemberId);
        var member = new GroupMember(newId, join.GroupInstanceId, join.ClientId, join.ClientHost, join.SessionTimeoutMs, join.RebalanceTimeoutMs, old.Protocols)
        {
            Assignment = old.Assignment,
            SyncedGeneration = old.SyncedGeneration,
        };
        group.Members[newId] = member;
        group.StaticMembers[join.GroupInstanceId!] = newId;
        bool wasLeader = group.IsLeader(old.MemberId);
        if (wasLeader)
        {
            group.LeaderId = newId;
        }

        bool protocolsChanged = !old.SameProtocols(join.Protocols);
        if (group.State == GroupState.Stable && !protocolsChanged && (!wasLeader || join.SupportsSkipAssignment))
        {
            RearmSession(group, member);
            PersistGroup(group);
            var members = wasLeader ? LeaderMembers(group) : [];
            return Task.FromResult(new JoinGroupResult(ErrorCode.None, group.Generation, group.ProtocolType, group.ProtocolName, group.LeaderId!, newId, members, SkipAssignment: wasLeader));
        }

        return UpdateMemberAndRebalance(group, member, join);
    }

    private void PrepareRebalance(ConsumerGroup group)
    {
        if (group.State == GroupState.CompletingRebalance)
        {
            // The leader's assignments for this generation will never come (or are void): waiting syncs must rejoin.
            foreach (var m in group.Members.Values)
            {
                m.Assignment = [];
                m.CompleteSync(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
            }
        }

        bool wasEmpty = group.State == GroupState.Empty;
        group.TransitionTo(GroupState.PreparingRebalance, NowMs);
        int rebalanceTimeout = group.MaxRebalanceTimeoutMs;
        if (wasEmpty && _config.InitialRebalanceDelayMs > 0)
        {
            // A new group waits for more members so the first consumers don't rebalance once per arrival.
            group.InInitialDelay = true;
            group.JoinedDuringInitialDelay = false;
            group.InitialDelayDeadlineMs = NowMs + rebalanceTimeout;
            ArmRebalanceTimer(group, Math.Min(_config.InitialRebalanceDelayMs, rebalanceTimeout), group.Generation, OnInitialDelayExpired);
            return;
        }

        ArmRebalanceTimer(group, rebalanceTimeout, group.Generation, OnJoinTimeout);
        TryCompleteJoin(group);
    }

    private void OnInitialDelayExpired(ConsumerGroup group)
    {
        if (group.State != GroupState.PreparingRebalance || !group.InInitialDelay)
        {
            return;
        }

        long remaining = group.InitialDelayDeadlineMs - NowMs;
        if (group.JoinedDuringInitialDelay && remaining > 0)
        {
            group.JoinedDuringInitialDelay = false;
            ArmRebalanceTimer(group, (int)Math.Min(_config.InitialRebalanceDelayMs, remaining), group.Generation, OnInitialDelayExpired);
            return;
        }

        group.InInitialDelay = false;
        CompleteJoin(group);
    }

    private void OnJoinTimeout(ConsumerGroup group)
    {
        if (group.State == GroupState.PreparingRebalance)
        {
            CompleteJoin(group);
        }
    }

    private void TryCompleteJoin(ConsumerGroup group)
    {
        if (group.State == GroupState.PreparingRebalance && !group.InInitialDelay && group.AllMembersJoined)
        {
            CompleteJoin(group);
        }
    }

    /// <summary>Ends the join phase: drops dynamic members that did not rejoin, starts the next generation and answers every waiting join.</summary>
    private void CompleteJoin(ConsumerGroup group)
    {
        group.RebalanceTimer?.Dispose();
        group.RebalanceTimer = null;
        group.InInitialDelay = false;
        foreach (var m in group.Members.Values.Where(m => !m.IsAwaitingJoin && m.GroupInstanceId is null).ToList())
        {
            RemoveMember(group, m, ErrorCode.UnknownMemberId);
        }

        group.Generation++;
        if (group.Members.Count == 0)
        {
            group.ProtocolName = null;
            group.LeaderId = null;
            group.TransitionTo(GroupState.Empty, NowMs);
            PersistGroup(group);
            return;
        }

        if (group.LeaderId is null || !group.Members.TryGetValue(group.LeaderId, out var leader) || !leader.IsAwaitingJoin)
        {
            group.LeaderId = group.Members.Values.FirstOrDefault(m => m.IsAwaitingJoin)?.MemberId ?? group.Members.Keys.First();
        }

        group.ProtocolName = group.SelectProtocol();
        group.TransitionTo(GroupState.CompletingRebalance, NowMs);
        foreach (var m in group.Members.Values)
        {
            m.Assignment = [];
            if (m.IsAwaitingJoin)
            {
                m.CompleteJoin(CurrentJoinResult(group, m));
                RearmSession(group, m);
            }
        }

        // Members that never send SyncGroup must not hold the group in CompletingRebalance forever.
        ArmRebalanceTimer(group, group.MaxRebalanceTimeoutMs, group.Generation, OnSyncTimeout);
    }

    private void OnSyncTimeout(ConsumerGroup group)
    {
        if (group.State != GroupState.CompletingRebalance)
        {
            return;
        }

        foreach (var m in group.Members.Values.Where(m => m.SyncedGeneration != group.Generation).ToList())
        {
            RemoveMember(group, m, ErrorCode.RebalanceInProgress);
        }

        PrepareRebalance(group);
    }

    private static JoinGroupResult CurrentJoinResult(ConsumerGroup group, GroupMember member)
    {
        var members = group.IsLeader(member.MemberId) ? LeaderMembers(group) : [];
        return new JoinGroupResult(ErrorCode.None, group.Generation, group.ProtocolType, group.ProtocolName, group.LeaderId ?? string.Empty, member.MemberId, members);
    }

    private static List<JoinedMember> LeaderMembers(ConsumerGroup group) =>
        group.Members.Values.Select(m => new JoinedMember(m.MemberId, m.GroupInstanceId, m.MetadataFor(group.ProtocolName!) ?? [])).ToList();

    // ---------------------------------------------------------------- SyncGroup

    public Task<SyncGroupResult> SyncGroupAsync(string groupId, int generation, string memberId, string? groupInstanceId, string? protocolType, string? protocolName, IReadOnlyDictionary<string, byte[]> assignments)
    {
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            return Task.FromResult(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
        }

        lock (group)
        {
            if (group.State == GroupState.Dead)
            {
                return Task.FromResult(SyncGroupResult.Failed(ErrorCode.CoordinatorNotAvailable));
            }

            if (ValidateMember(group, memberId, groupInstanceId) is { } memberError)
            {
                return Task.FromResult(SyncGroupResult.Failed(memberError));
            }

            var member = group.Members[memberId];
            if (generation != group.Generation)
            {
                return Task.FromResult(SyncGroupResult.Failed(ErrorCode.IllegalGeneration));
            }

            if ((protocolType is not null && protocolType != group.ProtocolType) || (protocolName is not null && protocolName != group.ProtocolName))
            {
                return Task.FromResult(SyncGroupResult.Failed(ErrorCode.InconsistentGroupProtocol));
            }

            switch (group.State)
            {
                case GroupState.PreparingRebalance:
                    return Task.FromResult(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
                case GroupState.Stable:
                    RearmSession(group, member);
                    return Task.FromResult(new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, member.Assignment));
                case GroupState.CompletingRebalance:
                    member.CompleteSync(SyncGroupResult.Failed(ErrorCode.RebalanceInProgress));
                    var pending = new TaskCompletionSource<SyncGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                    member.PendingSync = pending;
                    member.SyncedGeneration = generation;
                    RearmSession(group, member);
                    if (group.IsLeader(memberId))
                    {
                        foreach (var m in group.Members.Values)
                        {
                            m.Assignment = assignments.TryGetValue(m.MemberId, out var a) ? a : [];
                        }

                        var stored = PersistGroup(group);
                        _ = CompleteSyncWhenStoredAsync(group, generation, stored);
                    }

                    return pending.Task;
                default:
                    return Task.FromResult(SyncGroupResult.Failed(ErrorCode.UnknownMemberId));
            }
        }
    }

    /// <summary>Kafka answers the syncs only after the group's assignment is stored, so a restarted coordinator knows it.</summary>
    private async Task CompleteSyncWhenStoredAsync(ConsumerGroup group, int generation, Task<ErrorCode> stored)
    {
        var error = await stored.ConfigureAwait(false);
        lock (group)
        {
            if (group.State != GroupState.CompletingRebalance || group.Generation != generation)
            {
                return;
            }

            if (error != ErrorCode.None)
            {
                foreach (var m in group.Members.Values)
                {
                    m.CompleteSync(SyncGroupResult.Failed(error));
                }

                PrepareRebalance(group);
                return;
            }

            group.RebalanceTimer?.Dispose();
            group.RebalanceTimer = null;
            group.TransitionTo(GroupState.Stable, NowMs);
            foreach (var m in group.Members.Values)
            {
                m.CompleteSync(new SyncGroupResult(ErrorCode.None, group.ProtocolType, group.ProtocolName, m.Assignment));
            }
        }
    }

    // ---------------------------------------------------------------- Heartbeat / LeaveGroup

    public ErrorCode Heartbeat(string groupId, string memberId, string? groupInstanceId, int generation)
    {
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            return ErrorCode.UnknownMemberId;
        }

        lock (group)
        {
            if (group.State == GroupState.Dead)
            {
                return ErrorCode.CoordinatorNotAvailable;
            }

            if (group.State == GroupState.Empty)
            {
                return ErrorCode.UnknownMemberId;
            }

            if (ValidateMember(group, memberId, groupInstanceId) is { } memberError)
            {
                return memberError;
            }

            if (generation != group.Generation)
            {
                return ErrorCode.IllegalGeneration;
            }

            RearmSession(group, group.Members[memberId]);
            return group.State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
        }
    }

    /// <summary>Removes members (v3+ may name several, by member id and/or group.instance.id).</summary>
    public LeaveGroupResult LeaveGroup(string groupId, IReadOnlyList<(string MemberId, string? GroupInstanceId)> leaving)
    {
        var group = TryGetGroup(groupId);
        if (group is null)
        {
            return new LeaveGroupResult(ErrorCode.UnknownMemberId, leaving.Select(_ => ErrorCode.UnknownMemberId).ToList());
        }

        lock (group)
        {
            if (group.State == GroupState.Dead)
            {
                return new LeaveGroupResult(ErrorCode.CoordinatorNotAvailable, leaving.Select(_ => ErrorCode.CoordinatorNotAvailable).ToList());
            }

            var errors = new List<ErrorCode>(leaving.Count);
            bool removed = false;
            foreach (var (memberId, instanceId) in leaving)
            {
                GroupMember? member = null;
                var error = ErrorCode.None;
                if (instanceId is not null)
                {
                    if (!group.StaticMembers.TryGetValue(instanceId, out var current) || !group.Members.TryGetValue(current, out member))
                    {
                        error = ErrorCode.UnknownMemberId;
                    }
                    else if (memberId.Length > 0 && memberId != current)
                    {
                        error = ErrorCode.FencedInstanceId;
                        member = null;
                    }
                }
                else if (group.PendingMembers.Remove(memberId, out var pendingTimer))
                {
                    pendingTimer.Dispose();
                }
                else if (!group.Members.TryGetValue(memberId, out member))
                {
                    error = ErrorCode.UnknownMemberId;
                }

                if (member is not null)
                {
                    RemoveMember(group, member, ErrorCode.UnknownMemberId);
                    removed = true;
                }

                errors.Add(error);
            }

            if (removed)
            {
                OnMembershipShrunk(group);
            }

            return new LeaveGroupResult(ErrorCode.None, errors);
        }
    }

    private void OnMembershipShrunk(ConsumerGroup group)
    {
        switch (group.State)
        {
            case GroupState.Stable or GroupState.CompletingRebalance:
                PrepareRebalance(group);
                break;
            case GroupState.PreparingRebalance:
                TryCompleteJoin(group);
                break;
        }
    }

    private static ErrorCode? ValidateMember(ConsumerGroup group, string memberId, string? groupInstanceId)
    {
        if (groupInstanceId is not null && group.StaticMembers.TryGetValue(groupInstanceId, out var current) && current != memberId)
        {
            return ErrorCode.FencedInstanceId;
        }

        if (!group.Members.TryGetValue(memberId, out var member))
        {
            return ErrorCode.UnknownMemberId;
        }

        if (groupInstanceId is not null && member.GroupInstanceId != groupInstanceId)
        {
            return ErrorCode.FencedInstanceId;
        }

        return null;
    }

    private static void RemoveMember(ConsumerGroup group, GroupMember member, ErrorCode pendingError)
    {
        member.SessionTimer?.Dispose();
        member.SessionTimer = null;
        member.Fail(pendingError);
        group.Members.Remove(member.MemberId);
        if (member.GroupInstanceId is not null && group.StaticMembers.TryGetValue(member.GroupInstanceId, out var id) && id == member.MemberId)
        {
            group.StaticMembers.Remove(member.GroupInstanceId);
        }

        if (group.IsLeader(member.MemberId))
        {
            group.LeaderId = group.Members.Keys.FirstOrDefault();
        }
    }

    // ---------------------------------------------------------------- timers

    private static TaskCompletionSource<JoinGroupResult> NewJoin() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void RearmSession(ConsumerGroup group, GroupMember member)
    {
        var due = TimeSpan.FromMilliseconds(member.SessionTimeoutMs);
        if (member.SessionTimer is null)
        {
            member.SessionTimer = _time.CreateTimer(_ => OnSessionExpired(group, member), null, due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            member.SessionTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSessionExpired(ConsumerGroup group, GroupMember member)
    {
        lock (group)
        {
            if (!group.Members.TryGetValue(member.MemberId, out var current) || !ReferenceEquals(current, member))
            {
                return;
            }

            if (member.IsAwaitingJoin || member.IsAwaitingSync)
            {
                // A member blocked in JoinGroup/SyncGroup cannot heartbeat; the rebalance and sync timeouts bound it instead.
                RearmSession(group, member);
                return;
            }

            RemoveMember(group, member, ErrorCode.UnknownMemberId);
            OnMembershipShrunk(group);
        }
    }

    private void ExpirePendingMember(ConsumerGroup group, string memberId)
    {
        lock (group)
        {
            if (group.PendingMembers.Remove(memberId, out var timer))
            {
                timer.Dispose();
                TryCompleteJoin(group);
            }
        }
    }

    /// <summary>Arms the group's one phase timer; the callback runs under the group lock and only for the generation it was armed in.</summary>
    private void ArmRebalanceTimer(ConsumerGroup group, int delayMs, int generation, Action<ConsumerGroup> onExpiry)
    {
        group.RebalanceTimer?.Dispose();
        ITimer? timer = null;
        timer = _time.CreateTimer(
            _ =>
            {
                lock (group)
                {
                    if (!ReferenceEquals(group.RebalanceTimer, timer) || group.Generation != generation)
                    {
                        return;
                    }

                    onExpiry(group);
                }
            },
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        group.RebalanceTimer = timer;
        timer.Change(TimeSpan.FromMilliseconds(Math.Max(0, delayMs)), Timeout.InfiniteTimeSpan);
    }
}
