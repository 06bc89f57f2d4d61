using FastLog.Engine.Tests.Support;
using FastLog.Protocol;
using FastLog.Server.Coordinator;

namespace FastLog.Server.Tests.Groups;

/// <summary>The group state machine driven directly, on a manual clock.</summary>
public sealed class GroupCoordinatorTests : IDisposable
{
    private const string Group = "g";
    private const int SessionMs = 10_000;
    private const int RebalanceMs = 30_000;

    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryGroupStore _store = new();
    private readonly GroupCoordinator _coordinator;

    public GroupCoordinatorTests()
    {
        _coordinator = NewCoordinator(_store);
    }

    public void Dispose() => _coordinator.Dispose();

    private GroupCoordinator NewCoordinator(InMemoryGroupStore store, int initialDelayMs = 0)
    {
        var coordinator = new GroupCoordinator(store, _time, new GroupCoordinatorConfig { InitialRebalanceDelayMs = initialDelayMs, MinSessionTimeoutMs = 1000, OffsetsRetentionMs = 60_000 });
        coordinator.Start();
        return coordinator;
    }

    private static JoinGroupParams Join(string memberId = "", string? instanceId = null, short version = 5, string protocol = "range", byte[]? metadata = null) =>
        new(Group, memberId, instanceId, "client", "/127.0.0.1", SessionMs, RebalanceMs, "consumer", [new GroupProtocol(protocol, metadata ?? [1])], version);

    /// <summary>A v5 dynamic join: MEMBER_ID_REQUIRED first, then the join with the id.</summary>
    private async Task<Task<JoinGroupResult>> StartJoinAsync(GroupCoordinator coordinator)
    {
        var first = await coordinator.JoinGroupAsync(Join());
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        return coordinator.JoinGroupAsync(Join(first.MemberId));
    }

    private async Task<(string Leader, string Follower, int Generation)> FormTwoMemberGroupAsync()
    {
        var a = await StartJoinAsync(_coordinator);
        var first = await a; // delay 0: a lone first member completes the join at once
        Assert.Equal(ErrorCode.None, first.Error);
        var syncA = await _coordinator.SyncGroupAsync(Group, first.GenerationId, first.MemberId, null, null, null, new Dictionary<string, byte[]> { [first.MemberId] = [9] });
        Assert.Equal(ErrorCode.None, syncA.Error);

        // A second member triggers a rebalance that waits for the first one to rejoin.
        var b = await StartJoinAsync(_coordinator);
        Assert.False(b.IsCompleted);
        Assert.Equal(ErrorCode.RebalanceInProgress, _coordinator.Heartbeat(Group, first.MemberId, null, first.GenerationId));
        var aRejoin = _coordinator.JoinGroupAsync(Join(first.MemberId));
        var (ja, jb) = (await aRejoin, await b);
        Assert.Equal(ja.GenerationId, jb.GenerationId);
        Assert.Equal(first.MemberId, ja.LeaderId);
        Assert.Equal(2, ja.Members.Count);
        Assert.Empty(jb.Members);

        var followerSync = _coordinator.SyncGroupAsync(Group, jb.GenerationId, jb.MemberId, null, null, null, new Dictionary<string, byte[]>());
        Assert.False(followerSync.IsCompleted);
        var leaderSync = await _coordinator.SyncGroupAsync(Group, ja.GenerationId, ja.MemberId, null, null, null, new Dictionary<string, byte[]> { [ja.MemberId] = [1], [jb.MemberId] = [2] });
        Assert.Equal([1], leaderSync.Assignment);
        Assert.Equal([2], (await followerSync).Assignment);
        Assert.Equal(GroupState.Stable, _coordinator.StateOf(Group));
        return (ja.MemberId, jb.MemberId, ja.GenerationId);
    }

    [Fact]
    public async Task Join_and_sync_form_a_stable_group_with_assignments_from_the_leader()
    {
        var (leader, follower, generation) = await FormTwoMemberGroupAsync();
        Assert.Equal(2, generation);
        Assert.Equal(ErrorCode.None, _coordinator.Heartbeat(Group, leader, null, generation));
        Assert.Equal(ErrorCode.None, _coordinator.Heartbeat(Group, follower, null, generation));
        var described = _coordinator.DescribeGroup(Group);
        Assert.Equal("range", described.ProtocolName);
        Assert.Equal(2, described.Members.Count);
    }

    [Fact]
    public async Task Old_join_versions_get_no_member_id_required()
    {
        var result = await _coordinator.JoinGroupAsync(Join(version: 2));
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.NotEmpty(result.MemberId);
    }

    [Fact]
    public async Task A_member_that_stops_heartbeating_is_expired_and_the_group_rebalances()
    {
        var (leader, follower, generation) = await FormTwoMemberGroupAsync();

        // The leader keeps heartbeating, the follower goes silent.
        for (int i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(SessionMs / 3));
            _coordinator.Heartbeat(Group, leader, null, generation);
        }

        Assert.Equal(GroupState.PreparingRebalance, _coordinator.StateOf(Group));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, follower, null, generation));
        var rejoin = await _coordinator.JoinGroupAsync(Join(leader));
        Assert.Equal(generation + 1, rejoin.GenerationId);
        Assert.Single(rejoin.Members);
    }

    [Fact]
    public async Task The_rebalance_timeout_drops_members_that_do_not_rejoin()
    {
        var (leader, follower, generation) = await FormTwoMemberGroupAsync();
        var rejoin = _coordinator.JoinGroupAsync(Join(leader, protocol: "range", metadata: [7])); // changed metadata → rebalance
        Assert.False(rejoin.IsCompleted);

        // The follower still heartbeats (told to rejoin) but never does.
        for (int i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(RebalanceMs / 10));
            if (!rejoin.IsCompleted)
            {
                Assert.Equal(ErrorCode.RebalanceInProgress, _coordinator.Heartbeat(Group, follower, null, generation));
            }
        }

        var result = await rejoin;
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(generation + 1, result.GenerationId);
        Assert.Single(result.Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, follower, null, result.GenerationId));
    }

    [Fact]
    public async Task Wrong_generation_and_unknown_members_get_kafkas_codes()
    {
        var (leader, _, generation) = await FormTwoMemberGroupAsync();
        Assert.Equal(ErrorCode.IllegalGeneration, _coordinator.Heartbeat(Group, leader, null, generation - 1));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, "nobody", null, generation));
        var sync = await _coordinator.SyncGroupAsync(Group, generation + 5, leader, null, null, null, new Dictionary<string, byte[]>());
        Assert.Equal(ErrorCode.IllegalGeneration, sync.Error);
        var commit = await _coordinator.CommitOffsetsAsync(Group, leader, null, generation - 1, [new OffsetCommitEntry("t", 0, 5, -1, null)]);
        Assert.Equal([ErrorCode.IllegalGeneration], commit);
        var inconsistent = await _coordinator.JoinGroupAsync(Join(protocol: "roundrobin"));
        Assert.Equal(ErrorCode.InconsistentGroupProtocol, inconsistent.Error);
        Assert.Equal(ErrorCode.NonEmptyGroup, await _coordinator.DeleteGroupAsync(Group));
        Assert.Equal(ErrorCode.GroupIdNotFound, await _coordinator.DeleteGroupAsync("missing"));
    }

    [Fact]
    public async Task A_static_member_rejoining_gets_its_assignment_without_a_rebalance()
    {
        var join = await _coordinator.JoinGroupAsync(Join(instanceId: "i1"));
        Assert.Equal(ErrorCode.None, join.Error);
        await _coordinator.SyncGroupAsync(Group, join.GenerationId, join.MemberId, "i1", null, null, new Dictionary<string, byte[]> { [join.MemberId] = [4, 2] });
        var other = _coordinator.JoinGroupAsync(Join(instanceId: "i2"));
        var leaderAgain = await _coordinator.JoinGroupAsync(Join(join.MemberId, "i1"));
        var follower = await other;
        await Task.WhenAll(
            _coordinator.SyncGroupAsync(Group, follower.GenerationId, follower.MemberId, "i2", null, null, new Dictionary<string, byte[]>()),
            _coordinator.SyncGroupAsync(Group, leaderAgain.GenerationId, leaderAgain.MemberId, "i1", null, null, new Dictionary<string, byte[]> { [leaderAgain.MemberId] = [1], [follower.MemberId] = [2] }));
        int generation = follower.GenerationId;

        // The follower restarts: new process, no member id, same instance id.
        var rejoined = await _coordinator.JoinGroupAsync(Join(instanceId: "i2"));
        Assert.Equal(ErrorCode.None, rejoined.Error);
        Assert.Equal(generation, rejoined.GenerationId);
        Assert.NotEqual(follower.MemberId, rejoined.MemberId);
        Assert.Equal(GroupState.Stable, _coordinator.StateOf(Group));
        var sync = await _coordinator.SyncGroupAsync(Group, generation, rejoined.MemberId, "i2", null, null, new Dictionary<string, byte[]>());
        Assert.Equal([2], sync.Assignment);

        // The old incarnation is fenced.
        Assert.Equal(ErrorCode.FencedInstanceId, _coordinator.Heartbeat(Group, follower.MemberId, "i2", generation));
    }

    [Fact]
    public async Task The_initial_rebalance_delay_collects_members_into_one_generation()
    {
        using var coordinator = NewCoordinator(new InMemoryGroupStore(), initialDelayMs: 3000);
        var a = await StartJoinAsync(coordinator);
        _time.Advance(TimeSpan.FromMilliseconds(2000));
        var b = await StartJoinAsync(coordinator);
        _time.Advance(TimeSpan.FromMilliseconds(2000));
        Assert.False(a.IsCompleted); // extended by b's arrival
        _time.Advance(TimeSpan.FromMilliseconds(3000));
        var (ra, rb) = (await a, await b);
        Assert.Equal(1, ra.GenerationId);
        Assert.Equal(ra.GenerationId, rb.GenerationId);
    }

    [Fact]
    public async Task A_leader_that_never_syncs_is_dropped_after_the_rebalance_timeout()
    {
        var result = await _coordinator.JoinGroupAsync(Join(version: 2));
        Assert.Equal(GroupState.CompletingRebalance, _coordinator.StateOf(Group));
        _time.Advance(TimeSpan.FromMilliseconds(RebalanceMs + 1));
        Assert.Equal(GroupState.Empty, _coordinator.StateOf(Group));
        Assert.Equal(ErrorCode.UnknownMemberId, _coordinator.Heartbeat(Group, result.MemberId, null, result.GenerationId));
    }

    [Fact]
    public async Task Committed_offsets_are_stored_reloaded_and_expire_when_the_group_is_empty()
    {
        var (leader, follower, generation) = await FormTwoMemberGroupAsync();
        var errors = await _coordinator.CommitOffsetsAsync(Group, leader, null, generation, [new OffsetCommitEntry("t", 0, 42, 3, "meta"), new OffsetCommitEntry("t", 1, 7, -1, null)]);
        Assert.Equal([ErrorCode.None, ErrorCode.None], errors);
        var standalone = await _coordinator.CommitOffsetsAsync("simple", string.Empty, null, -1, [new OffsetCommitEntry("t", 0, 1, -1, null)]);
        Assert.Equal([ErrorCode.None], standalone);

        using (var reloaded = NewCoordinator(_store))
        {
            var fetched = reloaded.FetchOffsets(Group, [("t", [0, 1, 2])]);
            Assert.Equal([42L, 7L, -1L], fetched.Select(f => f.Offset));
            Assert.Equal("meta", fetched[0].Metadata);
            Assert.Equal(3, fetched[0].LeaderEpoch);
            Assert.Equal(GroupState.Stable, reloaded.StateOf(Group));
        }

        _coordinator.LeaveGroup(Group, [(leader, null), (follower, null)]);
        Assert.Equal(GroupState.Empty, _coordinator.StateOf(Group));
        _time.Advance(TimeSpan.FromMilliseconds(30_000));
        _coordinator.ExpireOffsets();
        Assert.Equal(42, _coordinator.FetchOffsets(Group, null)[0].Offset);
        _time.Advance(TimeSpan.FromMilliseconds(31_000));
        _coordinator.ExpireOffsets();
        Assert.Null(_coordinator.StateOf(Group));
        Assert.Empty(_coordinator.FetchOffsets(Group, null));
        using var afterExpiry = NewCoordinator(_store);
        Assert.Empty(afterExpiry.FetchOffsets(Group, null));
    }

    [Fact]
    public async Task A_failed_store_fails_the_commit()
    {
        _store.NextError = ErrorCode.CoordinatorNotAvailable;
        var errors = await _coordinator.CommitOffsetsAsync("simple", string.Empty, null, -1, [new OffsetCommitEntry("t", 0, 1, -1, null)]);
        Assert.Equal([ErrorCode.CoordinatorNotAvailable], errors);
        Assert.Equal(-1, _coordinator.FetchOffsets("simple", [("t", [0])])[0].Offset);
    }

    [Fact]
    public async Task Lag_is_the_log_end_minus_the_committed_offset()
    {
        using var coordinator = new GroupCoordinator(new InMemoryGroupStore(), _time, new GroupCoordinatorConfig(), logEndOffset: (_, p) => p == 0 ? 100 : -1);
        await coordinator.CommitOffsetsAsync("lagging", string.Empty, null, -1, [new OffsetCommitEntry("t", 0, 40, -1, null), new OffsetCommitEntry("t", 1, 5, -1, null)]);
        var lag = coordinator.GetLag("lagging");
        Assert.Equal([60L, -1L], lag.Select(l => l.Lag));
        Assert.Equal(100, lag[0].LogEndOffset);
    }

    [Fact]
    public void Illegal_state_transitions_are_refused()
    {
        var group = new ConsumerGroup("x");
        Assert.Throws<InvalidOperationException>(() => group.TransitionTo(GroupState.Stable, 0));
        Assert.Throws<InvalidOperationException>(() => group.TransitionTo(GroupState.CompletingRebalance, 0));
        group.TransitionTo(GroupState.PreparingRebalance, 0);
        Assert.Throws<InvalidOperationException>(() => group.TransitionTo(GroupState.Stable, 0));
        group.TransitionTo(GroupState.CompletingRebalance, 0);
        group.TransitionTo(GroupState.Stable, 0);
        Assert.Throws<InvalidOperationException>(() => group.TransitionTo(GroupState.Empty, 0));
    }

    [Fact]
    public void Groups_map_to_partitions_like_kafka()
    {
        // Java: "hello".hashCode() == 99162322; Integer.MIN_VALUE's abs is taken as 0.
        Assert.Equal(99162322, OffsetsTopicStore.JavaHashCode("hello"));
        Assert.Equal(99162322 % 50, OffsetsTopicStore.PartitionFor("hello", 50));
        Assert.Equal(0, OffsetsTopicStore.PartitionFor("any", 1));
    }
}
