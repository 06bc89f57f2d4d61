using FastLog.Protocol;
using FastLog.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Consumer;

/// <summary>
/// Finds the starting position of partitions that have none: the group's committed offset (OffsetFetch to the
/// coordinator) or, when nothing is committed, an offset reset by <c>auto.offset.reset</c> (ListOffsets to the
/// leader: -2 earliest, -1 latest). <c>none</c> turns into an error for the application. A lookup result is only
/// applied if the partition was not seeked or reset meanwhile (its version is unchanged).
/// </summary>
internal sealed class PositionResolver : IAsyncDisposable
{
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromMilliseconds(500);

    private readonly Fetcher _fetcher;
    private readonly CoordinatorLink? _coordinator;
    private readonly FailureTracker _failures;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public PositionResolver(Fetcher fetcher, CoordinatorLink? coordinator)
    {
        _fetcher = fetcher;
        _coordinator = coordinator;
        _failures = new FailureTracker(fetcher.Options.RequestTimeout, fetcher.ReportError);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    private SubscriptionState Subscription => _fetcher.Subscription;

    private ILogger Logger => _fetcher.Logger;

    /// <summary>The reset that <c>auto.offset.reset</c> asks for.</summary>
    public static PositionSource ResetSource(AutoOffsetReset reset) => reset switch
    {
        AutoOffsetReset.Earliest => PositionSource.Earliest,
        AutoOffsetReset.Latest => PositionSource.Latest,
        _ => PositionSource.Fail,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ResolveAsync(stop).ConfigureAwait(false);
                await Subscription.ResolveWake.WaitAsync(IdleRecheck, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                ConsumerLog.PositionLookupFailed(Logger, e.Message);
                await Task.Delay(_fetcher.Options.RetryBackoff, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task ResolveAsync(CancellationToken stop)
    {
        var committed = new List<Pending>();
        var listed = new List<Pending>();
        long now = MonotonicClock.NowMs;
        lock (Subscription.Gate)
        {
            foreach (PartitionState state in Subscription.Partitions)
            {
                if (state.Removed || state.Resolving || state.PendingPosition == PositionSource.Known || now < state.RetryAfterTicks)
                {
                    continue;
                }

                PositionSource source = state.PendingPosition;
                if (source == PositionSource.Committed && _coordinator is null)
                {
                    source = ResetSource(_fetcher.Options.AutoOffsetReset);
                    state.PendingPosition = source;
                }

                if (source == PositionSource.Fail)
                {
                    // Reported once; a seek (or a new assignment) is the way out, as with Java's NoOffsetForPartitionException.
                    state.Resolving = true;
                    _fetcher.ReportError(new KafkaException(
                        ErrorCode.OffsetOutOfRange,
                        $"No valid offset to start {state.TopicPartition} from: nothing is committed (or the position is out of range) and auto.offset.reset is none. Seek to choose a position."));
                    continue;
                }

                if (source != PositionSource.Committed && state.LeaderId < 0)
                {
                    _fetcher.RequestMetadataRefresh();
                    continue;
                }

                state.Resolving = true;
                (source == PositionSource.Committed ? committed : listed).Add(new Pending(state, state.Version, source));
            }
        }

        if (committed.Count > 0)
        {
            await LookUpCommittedAsync(committed, stop).ConfigureAwait(false);
        }

        foreach (IGrouping<int, Pending> leader in listed.GroupBy(p => p.State.LeaderId))
        {
            await ListOffsetsAsync(leader.Key, [.. leader], stop).ConfigureAwait(false);
        }
    }

    private async Task LookUpCommittedAsync(List<Pending> pending, CancellationToken stop)
    {
        long started = MonotonicClock.NowMs;
        Dictionary<TopicPartition, TopicPartitionOffset> offsets;
        try
        {
            offsets = await OffsetFetcher.FetchAsync(_coordinator!, pending.Select(p => p.State.TopicPartition), _fetcher.Options.IsolationLevel, stop).ConfigureAwait(false);
            _failures.Success();
        }
        catch (KafkaException e)
        {
            Finish(pending, backOff: true);
            ConsumerLog.PositionLookupFailed(Logger, e.Message);
            if (e.IsRetriable)
            {
                _failures.Failure(e, started);
            }
            else
            {
                _fetcher.ReportError(e);
            }

            return;
        }

        PositionSource fallback = ResetSource(_fetcher.Options.AutoOffsetReset);
        lock (Subscription.Gate)
        {
            foreach (Pending entry in pending)
            {
                PartitionState state = entry.State;
                if (!entry.IsCurrent)
                {
                    continue;
                }

                state.Resolving = false;
                if (offsets.TryGetValue(state.TopicPartition, out TopicPartitionOffset found) && found.Offset >= 0)
                {
                    ConsumerLog.PositionFound(Logger, state.Topic, state.Partition, found.Offset, "committed offset");
                    state.SeekTo(found.Offset, found.LeaderEpoch);
                }
                else
                {
                    state.PendingPosition = fallback;
                }
            }
        }

        Subscription.NotifyChanged();
    }

    private async Task ListOffsetsAsync(int leaderId, List<Pending> pending, CancellationToken stop)
    {
        long started = MonotonicClock.NowMs;
        ListOffsetsResponse response;
        try
        {
            KafkaConnection connection = await _fetcher.Cluster.GetAsync(leaderId, stop).ConfigureAwait(false);
            short version = connection.PickVersion(ApiKey.ListOffsets, 1, 7);
            var request = new ListOffsetsRequest
            {
                ReplicaId = -1,
                IsolationLevel = _fetcher.Options.IsolationLevel == IsolationLevel.ReadCommitted ? (sbyte)1 : (sbyte)0,
                Topics = [.. pending.GroupBy(p => p.State.Topic, StringComparer.Ordinal).Select(t => new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = t.Key,
                    Partitions = [.. t.Select(p => new ListOffsetsRequest.ListOffsetsPartition
                    {
                        PartitionIndex = p.State.Partition,
                        Timestamp = p.Source == PositionSource.Earliest ? Offset.Beginning : Offset.End,
                    })],
                })],
            };
            response = await connection.SendAsync<ListOffsetsResponse>(request, version, stop).ConfigureAwait(false);
            _failures.Success();
        }
        catch (KafkaException e)
        {
            Finish(pending, backOff: true, forgetLeader: true);
            ConsumerLog.PositionLookupFailed(Logger, e.Message);
            _failures.Failure(e, started);
            _fetcher.RequestMetadataRefresh();
            return;
        }

        var results = new Dictionary<TopicPartition, ListOffsetsResponse.ListOffsetsPartitionResponse>();
        foreach (ListOffsetsResponse.ListOffsetsTopicResponse topic in response.Topics)
        {
            foreach (ListOffsetsResponse.ListOffsetsPartitionResponse partition in topic.Partitions)
            {
                results[new TopicPartition(topic.Name, partition.PartitionIndex)] = partition;
            }
        }

        bool refresh = false;
        lock (Subscription.Gate)
        {
            foreach (Pending entry in pending)
            {
                PartitionState state = entry.State;
                if (!entry.IsCurrent)
                {
                    continue;
                }

                state.Resolving = false;
                if (!results.TryGetValue(state.TopicPartition, out var result) || result.ErrorCode != 0)
                {
                    var error = result is null ? ErrorCode.UnknownServerError : (ErrorCode)result.ErrorCode;
                    ConsumerLog.ListOffsetsFailed(Logger, state.TopicPartition, error);
                    state.RetryAfterTicks = MonotonicClock.NowMs + (long)_fetcher.Options.RetryBackoff.TotalMilliseconds;
                    state.LeaderId = -1;
                    refresh = true;
                    continue;
                }

                ConsumerLog.PositionFound(Logger, state.Topic, state.Partition, result.Offset, entry.Source == PositionSource.Earliest ? "log start" : "log end");
                state.SeekTo(result.Offset, result.LeaderEpoch);
            }
        }

        if (refresh)
        {
            _fetcher.RequestMetadataRefresh();
        }

        Subscription.NotifyChanged();
    }

    private void Finish(List<Pending> pending, bool backOff, bool forgetLeader = false)
    {
        long retryAt = MonotonicClock.NowMs + (long)_fetcher.Options.RetryBackoff.TotalMilliseconds;
        lock (Subscription.Gate)
        {
            foreach (Pending entry in pending)
            {
                if (!entry.IsCurrent)
                {
                    continue;
                }

                entry.State.Resolving = false;
                if (backOff)
                {
                    entry.State.RetryAfterTicks = retryAt;
                }

                if (forgetLeader)
                {
                    entry.State.LeaderId = -1;
                }
            }
        }
    }

    /// <summary>A lookup under way; its result applies only if the partition is unchanged since.</summary>
    private sealed record Pending(PartitionState State, int Version, PositionSource Source)
    {
        /// <summary>
        /// True when the result may be applied. When not (paused, seeked or reset meanwhile), a partition still
        /// without a position is released for another lookup, so a lookup never stays claimed.
        /// </summary>
        public bool IsCurrent
        {
            get
            {
                if (!State.Removed && State.Version == Version && State.PendingPosition == Source)
                {
                    return true;
                }

                if (!State.Removed && State.PendingPosition != PositionSource.Known && State.PendingPosition != PositionSource.Fail)
                {
                    State.Resolving = false;
                }

                return false;
            }
        }
    }
}
