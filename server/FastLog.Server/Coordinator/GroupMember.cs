using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>A member of a classic group. Guarded by its group's lock.</summary>
internal sealed class GroupMember
{
    public GroupMember(string memberId, string? groupInstanceId, string clientId, string clientHost, int sessionTimeoutMs, int rebalanceTimeoutMs, IReadOnlyList<GroupProtocol> protocols)
    {
        MemberId = memberId;
        GroupInstanceId = groupInstanceId;
        ClientId = clientId;
        ClientHost = clientHost;
        SessionTimeoutMs = sessionTimeoutMs;
        RebalanceTimeoutMs = rebalanceTimeoutMs;
        Protocols = protocols;
    }

    public string MemberId { get; }

    public string? GroupInstanceId { get; }

    public string ClientId { get; set; }

    public string ClientHost { get; set; }

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    public IReadOnlyList<GroupProtocol> Protocols { get; set; }

    public byte[] Assignment { get; set; } = [];

    /// <summary>Set while the member's JoinGroup waits for the join phase to end.</summary>
    public TaskCompletionSource<JoinGroupResult>? PendingJoin { get; set; }

    /// <summary>Set while the member's SyncGroup waits for the leader's assignments.</summary>
    public TaskCompletionSource<SyncGroupResult>? PendingSync { get; set; }

    /// <summary>The generation this member last sent SyncGroup for (members that never sync are dropped).</summary>
    public int SyncedGeneration { get; set; } = -1;

    /// <summary>Session expiry: re-armed by every heartbeat, fires when the member goes quiet.</summary>
    public ITimer? SessionTimer { get; set; }

    public bool IsAwaitingJoin => PendingJoin is not null;

    public bool IsAwaitingSync => PendingSync is not null;

    public byte[]? MetadataFor(string protocol)
    {
        foreach (var p in Protocols)
        {
            if (p.Name == protocol)
            {
                return p.Metadata;
            }
        }

        return null;
    }

    /// <summary>Kafka's vote: the member's most preferred protocol among those every member supports.</summary>
    public string Vote(IReadOnlySet<string> candidates)
    {
        foreach (var p in Protocols)
        {
            if (candidates.Contains(p.Name))
            {
                return p.Name;
            }
        }

        throw new InvalidOperationException($"member {MemberId} supports none of the candidate protocols");
    }

    public bool SameProtocols(IReadOnlyList<GroupProtocol> other)
    {
        if (other.Count != Protocols.Count)
        {
            return false;
        }

        for (int i = 0; i < other.Count; i++)
        {
            if (other[i].Name != Protocols[i].Name || !other[i].Metadata.AsSpan().SequenceEqual(Protocols[i].Metadata))
            {
                return false;
            }
        }

        return true;
    }

    public void CompleteJoin(JoinGroupResult result)
    {
        var pending = PendingJoin;
        PendingJoin = null;
        pending?.TrySetResult(result);
    }

    public void CompleteSync(SyncGroupResult result)
    {
        var pending = PendingSync;
        PendingSync = null;
        pending?.TrySetResult(result);
    }

    /// <summary>Answers whatever the member still waits for with <paramref name="error"/> (it left, was fenced or expired).</summary>
    public void Fail(ErrorCode error)
    {
        CompleteJoin(JoinGroupResult.Failed(error, MemberId));
        CompleteSync(SyncGroupResult.Failed(error));
    }
}
