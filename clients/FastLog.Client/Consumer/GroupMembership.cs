using FastLog.Client.Cluster;
using FastLog.Client.Consumer.Assignment;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Consumer;

/// <summary>
/// Membership of a classic consumer group: JoinGroup / SyncGroup (running the assignor when this member leads),
/// heartbeats, LeaveGroup — one background loop, talking to the coordinator through <see cref="CoordinatorLink"/>.
/// </summary>
/// <remarks>
/// <para>Error handling follows the Java client's <c>AbstractCoordinator</c>: MEMBER_ID_REQUIRED → join again
/// with the given id; REBALANCE_IN_PROGRESS → rejoin (partitions kept until then); ILLEGAL_GENERATION →
/// partitions lost, rejoin with the same member id; UNKNOWN_MEMBER_ID → partitions lost, rejoin as a new member;
/// NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / a failed connection → find the coordinator again; fatal errors
/// (FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, ...) are reported through the consume call.</para>
/// <para>Rebalance protocol: eager unless every configured assignor is cooperative (as Java decides). Eager
/// revokes everything before JoinGroup; cooperative keeps consuming, revokes only what the new assignment took
/// away, and then rejoins once more so those partitions can be handed to their new owner.</para>
/// <para>Revocations, losses and assignments are applied by the consuming thread (see <see cref="GroupAction"/>);
/// heartbeats continue while the loop waits for that.</para>
/// <para><c>max.poll.interval.ms</c>: if the application neither takes a record nor waits for one for that long,
/// the member leaves the group (its partitions move on) and rejoins when the application is back.</para>
/// </remarks>
internal sealed partial class GroupMembership : IAsyncDisposable
{
    private readonly CoordinatorLink _link;
    private readonly ClusterConnections _cluster;
    private readonly ConsumerOptions _options;
    private readonly SubscriptionState _subscription;
    private readonly IReadOnlyList<IPartitionAssignor> _assignors;
    private readonly Func<GroupAction, Task> _runOnConsumer;
    private readonly Func<(long Moves, bool Waiting)> _liveness;
    private readonly Action<KafkaException> _reportError;
    private readonly ILogger _logger;
    private readonly FailureTracker _failures;
    private readonly AsyncSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task _loop = Task.CompletedTask;

    private string _memberId = string.Empty;
    private int _generation = -1;
    private bool _rejoinNeeded = true;
    private bool _lostPending;
    private List<TopicPartition> _owned = [];
    private Dictionary<string, int> _assignedTopicPartitions = [];
    private HashSet<string> _groupTopics = new(StringComparer.Ordinal);
    private bool _isLeader;
    private long _lastMoves = -1;
    private long _lastProgressTicks = MonotonicClock.NowMs;

    public GroupMembership(
        CoordinatorLink link,
        ClusterConnections cluster,
        ConsumerOptions options,
        SubscriptionState subscription,
        Func<GroupAction, Task> runOnConsumer,
        Func<(long Moves, bool Waiting)> liveness,
        Action<KafkaException> reportError,
        ILogger logger)
    {
        _link = link;
        _cluster = cluster;
        _options = options;
        _subscription = subscription;
        _runOnConsumer = runOnConsumer;
        _liveness = liveness;
        _reportError = reportError;
        _logger = logger;
        _assignors = [.. options.PartitionAssignmentStrategies.Select(PartitionAssignors.For)];
        IsCooperative = _assignors.All(a => a.SupportsCooperative);
        _failures = new FailureTracker(options.RequestTimeout, reportError);
    }

    /// <summary>True when the group rebalances incrementally (every configured assignor is cooperative).</summary>
    public bool IsCooperative { get; }

    /// <summary>The generation and member id to commit with; (-1, "") outside a generation.</summary>
    public (int Generation, string MemberId) Identity
    {
        get
        {
            lock (_gate)
            {
                return (_generation, _memberId);
            }
        }
    }

    /// <summary>Partitions this member holds, as last applied by the consuming thread.</summary>
    public IReadOnlyList<TopicPartition> Owned
    {
        get
        {
            lock (_gate)
            {
                return [.. _owned];
            }
        }
    }

    /// <summary>Starts the loop (once).</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_loop.IsCompleted && !_stop.IsCancellationRequested)
            {
                _loop = Task.Run(RunAsync, CancellationToken.None);
            }
        }
    }

    /// <summary>The subscription changed, a commit saw a rebalance, or the metadata moved: join again.</summary>
    public void RequestRejoin(string reason)
    {
        lock (_gate)
        {
            _rejoinNeeded = true;
        }

        ConsumerLog.RejoinRequested(_logger, _link.GroupId, reason);
        _wake.Set();
    }

    /// <summary>A commit was refused because this member left the generation: its partitions are lost; rejoin.</summary>
    public void GenerationLost(bool resetMemberId)
    {
        lock (_gate)
        {
            _generation = -1;
            if (resetMemberId)
            {
                _memberId = string.Empty;
            }

            _lostPending = true;
            _rejoinNeeded = true;
        }

        _wake.Set();
    }

    /// <summary>Records partitions the consuming thread gave up outside a rebalance (on close).</summary>
    public void ForgetOwned()
    {
        lock (_gate)
        {
            _owned = [];
        }
    }

    /// <summary>Stops the loop (without leaving the group: see <see cref="LeaveAsync"/>).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task loop;
        lock (_gate)
        {
            loop = _loop;
        }

        await loop.ConfigureAwait(false);
    }

    /// <summary>
    /// Sends LeaveGroup so the group rebalances at once instead of after the session timeout. Static members
    /// (<c>group.instance.id</c>) stay, as KIP-345 intends: a restart within the session timeout keeps their
    /// partitions. Best effort: failures are logged.
    /// </summary>
    public async Task LeaveAsync(string reason, CancellationToken cancellationToken)
    {
        (int generation, string memberId) = Identity;
        lock (_gate)
        {
            _generation = -1;
            if (_options.GroupInstanceId is null)
            {
                _memberId = string.Empty;
            }
        }

        if (memberId.Length == 0 || _options.GroupInstanceId is not null)
        {
            return;
        }

        try
        {
            LeaveGroupResponse response = await _link.SendAsync<LeaveGroupResponse>(
                connection =>
                {
                    short version = connection.PickVersion(ApiKey.LeaveGroup, 0, 5);
                    var request = new LeaveGroupRequest { GroupId = _link.GroupId };
                    if (version >= 3)
                    {
                        request.Members = [new LeaveGroupRequest.MemberIdentity { MemberId = memberId, Reason = reason }];
                    }
                    else
                    {
                        request.MemberId = memberId;
                    }

                    return (request, version);
                },
                cancellationToken).ConfigureAwait(false);
            ConsumerLog.LeftGroup(_logger, _link.GroupId, memberId, generation, (ErrorCode)response.ErrorCode, reason);
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException or ObjectDisposedException)
        {
            ConsumerLog.LeaveFailed(_logger, _link.GroupId, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            long started = MonotonicClock.NowMs;
            try
            {
                bool rejoin;
                lock (_gate)
                {
                    rejoin = _rejoinNeeded || _generation < 0;
                }

                if (rejoin)
                {
                    try
                    {
                        await JoinAndSyncAsync(stop).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // A rebalance cut short (coordinator moved, connection lost) is joined again from the start.
                        lock (_gate)
                        {
                            _rejoinNeeded = true;
                        }

                        throw;
                    }

                    _failures.Success();
                    continue;
                }

                if (PollTimedOut())
                {
                    ConsumerLog.PollTimeout(_logger, _link.GroupId, _options.MaxPollInterval.TotalMilliseconds);
                    await LeaveAsync("consumer poll timeout has expired", stop).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _lostPending = true;
                        _rejoinNeeded = true;
                    }

                    continue;
                }

                await HeartbeatAsync(stop).ConfigureAwait(false);
                await CheckMetadataAsync(stop).ConfigureAwait(false);
                _failures.Success();
                await _wake.WaitAsync(_options.HeartbeatInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (KafkaException e)
            {
                if (CoordinatorLink.IsCoordinatorError(e.Error) || e.Error == ErrorCode.CoordinatorLoadInProgress)
                {
                    _link.MarkUnknown();
                }

                ConsumerLog.GroupRequestFailed(_logger, _link.GroupId, e.Error, e.Message);
                if (e.IsRetriable)
                {
                    _failures.Failure(e, started);
                }
                else
                {
                    _reportError(e);
                }

                await DelayAsync(e.IsRetriable ? _options.RetryBackoff : TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ConsumerLog.GroupRequestFailed(_logger, _link.GroupId, ErrorCode.UnknownServerError, e.Message);
                _reportError(new KafkaException(ErrorCode.UnknownServerError, $"Group {_link.GroupId}: {e.Message}", e));
                await DelayAsync(TimeSpan.FromSeconds(1), stop).ConfigureAwait(false);
            }
        }
    }

    private static async Task DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping; the loop condition ends it.
        }
    }

    /// <summary>True when the application neither took a record nor waited for one for <c>max.poll.interval.ms</c>.</summary>
    private bool PollTimedOut()
    {
        (long moves, bool waiting) = _liveness();
        long now = MonotonicClock.NowMs;
        if (moves != _lastMoves || waiting)
        {
            _lastMoves = moves;
            _lastProgressTicks = now;
            return false;
        }

        return now - _lastProgressTicks > (long)_options.MaxPollInterval.TotalMilliseconds;
    }

    private async Task HeartbeatAsync(CancellationToken stop)
    {
        (int generation, string memberId) = Identity;
        if (generation < 0)
        {
            return;
        }

        HeartbeatResponse response = await _link.SendAsync<HeartbeatResponse>(
            connection => (new HeartbeatRequest
            {
                GroupId = _link.GroupId,
                GenerationId = generation,
                MemberId = memberId,
                GroupInstanceId = _options.GroupInstanceId,
            }, connection.PickVersion(ApiKey.Heartbeat, 0, 4)),
            stop).ConfigureAwait(false);
        var error = (ErrorCode)response.ErrorCode;
        switch (error)
        {
            case ErrorCode.None:
                return;
            case ErrorCode.RebalanceInProgress:
                RequestRejoin("the coordinator started a rebalance");
                return;
            case ErrorCode.IllegalGeneration:
                GenerationLost(resetMemberId: false);
                return;
            case ErrorCode.UnknownMemberId:
                GenerationLost(resetMemberId: true);
                return;
            default:
                if (error == ErrorCode.FencedInstanceId)
                {
                    GenerationLost(resetMemberId: true);
                }

                throw new KafkaException(error, $"Heartbeat for group {_link.GroupId} failed with {error}.");
        }
    }
}
