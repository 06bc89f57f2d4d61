using FastLog.Engine.Log;

namespace FastLog.Server.Coordinator;

/// <summary>
/// One classic group: its state machine, members, generation and committed offsets. Every field is
/// guarded by locking the group object; the <see cref="GroupCoordinator"/> holds that lock around each
/// operation and timer callback.
/// </summary>
internal sealed class ConsumerGroup
{
    public ConsumerGroup(string groupId, GroupState initialState = GroupState.Empty)
    {
        GroupId = groupId;
        State = initialState;
    }

    public string GroupId { get; }

    public GroupState State { get; private set; }

    public int Generation { get; set; }

    /// <summary>Null while the group was only ever used to store offsets (simple consumers, admin commits).</summary>
    public string? ProtocolType { get; set; }

    public string? ProtocolName { get; set; }

    public string? LeaderId { get; set; }

    /// <summary>Members in join order: the first becomes leader when the old leader is gone.</summary>
    public Dictionary<string, GroupMember> Members { get; } = new(StringComparer.Ordinal);

    /// <summary>group.instance.id → current member id (static membership).</summary>
    public Dictionary<string, string> StaticMembers { get; } = new(StringComparer.Ordinal);

    /// <summary>Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry timers.</summary>
    public Dictionary<string, ITimer> PendingMembers { get; } = new(StringComparer.Ordinal);

    public Dictionary<TopicPartition, CommittedOffset> Offsets { get; } = [];

    /// <summary>When the group last changed state (Kafka's currentStateTimestamp; offsets of an empty group expire from it).</summary>
    public long StateTimestampMs { get; set; }

    /// <summary>The join-phase or sync-phase deadline timer (one phase at a time).</summary>
    public ITimer? RebalanceTimer { get; set; }

    /// <summary>True while a new group waits group.initial.rebalance.delay.ms for more members.</summary>
    public bool InInitialDelay { get; set; }

    /// <summary>A member joined during the current initial delay, so the delay is extended once more.</summary>
    public bool JoinedDuringInitialDelay { get; set; }

    /// <summary>Initial delay: when the join phase must end at the latest (the rebalance timeout).</summary>
    public long InitialDelayDeadlineMs { get; set; }

    /// <summary>Incremented by each offsets-log append of this group; orders cache updates.</summary>
    public long NextSequence { get; set; }

    public bool IsLeader(string memberId) => LeaderId == memberId;

    /// <summary>Kafka's allowed predecessors of each state; anything else is a coordinator bug.</summary>
    public static bool IsLegalTransition(GroupState from, GroupState to) => to switch
    {
        GroupState.Empty => from is GroupState.PreparingRebalance,
        GroupState.PreparingRebalance => from is GroupState.Stable or GroupState.CompletingRebalance or GroupState.Empty,
        GroupState.CompletingRebalance => from is GroupState.PreparingRebalance,
        GroupState.Stable => from is GroupState.CompletingRebalance,
        GroupState.Dead => true,
        _ => false,
    };

    public void TransitionTo(GroupState target, long nowMs)
    {
        if (!IsLegalTransition(State, target))
        {
            throw new InvalidOperationException($"group {GroupId}: illegal transition {State} → {target}");
        }

        State = target;
        StateTimestampMs = nowMs;
    }

    public bool AllMembersJoined
    {
        get
        {
            if (PendingMembers.Count > 0)
            {
                return false;
            }

            foreach (var m in Members.Values)
            {
                if (!m.IsAwaitingJoin)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public int MaxRebalanceTimeoutMs
    {
        get
        {
            int max = 0;
            foreach (var m in Members.Values)
            {
                max = Math.Max(max, m.RebalanceTimeoutMs);
            }

            return max;
        }
    }

    /// <summary>Protocols every member supports (empty when the group has no members).</summary>
    public HashSet<string> CandidateProtocols()
    {
        HashSet<string>? candidates = null;
        foreach (var m in Members.Values)
        {
            var names = m.Protocols.Select(p => p.Name);
            if (candidates is null)
            {
                candidates = new HashSet<string>(names, StringComparer.Ordinal);
            }
            else
            {
                candidates.IntersectWith(names);
            }
        }

        return candidates ?? new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>Whether a member with these protocols may join: same protocol type and one protocol in common with everyone.</summary>
    public bool Accepts(string protocolType, IReadOnlyList<GroupProtocol> protocols)
    {
        if (protocolType.Length == 0 || protocols.Count == 0)
        {
            return false;
        }

        if (Members.Count == 0)
        {
            return true;
        }

        if (protocolType != ProtocolType)
        {
            return false;
        }

        var candidates = CandidateProtocols();
        return protocols.Any(p => candidates.Contains(p.Name));
    }

    /// <summary>Kafka's selection: each member votes for its preferred candidate; most votes wins, ties go to the leader's order.</summary>
    public string SelectProtocol()
    {
        var candidates = CandidateProtocols();
        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in Members.Values)
        {
            string vote = m.Vote(candidates);
            votes[vote] = votes.GetValueOrDefault(vote) + 1;
        }

        int best = votes.Values.Max();
        var leaderOrder = LeaderId is not null && Members.TryGetValue(LeaderId, out var leader) ? leader.Protocols : Members.Values.First().Protocols;
        foreach (var p in leaderOrder)
        {
            if (votes.GetValueOrDefault(p.Name) == best)
            {
                return p.Name;
            }
        }

        return votes.First(v => v.Value == best).Key;
    }
}
