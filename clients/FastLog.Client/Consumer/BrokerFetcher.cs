using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FastLog.Format;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Consumer;

/// <summary>
/// The fetch loop for one broker: sends a Fetch for every partition it leads that is ready, parses the response
/// over its own receive frame (<see cref="KafkaConnection.SendLeasedAsync{TResponse}"/>, no copy of the records)
/// and queues it for the consuming thread.
/// </summary>
/// <remarks>
/// <para>Prefetching: the loop holds one of <see cref="Slots"/> slots per response until the application has read
/// it, and the next fetch offset of each partition is known as soon as a response arrives (the last batch's
/// offset + 1), so the next request is already in flight while the application works through the previous
/// response. Two slots is the smallest number that overlaps the network with the application, and bounds the
/// memory held per broker to two responses (each at most <c>fetch.max.bytes</c>).</para>
/// <para>Errors are per partition: OffsetOutOfRange resets the position by <c>auto.offset.reset</c>; leadership
/// errors (NotLeaderOrFollower, UnknownTopicOrPartition, FencedLeaderEpoch, ...) forget the leader, back the
/// partition off and ask for a metadata refresh; a failed request does the same for all its partitions.</para>
/// </remarks>
internal sealed class BrokerFetcher : IAsyncDisposable
{
    private const int Slots = 2;

    private static readonly TimeSpan IdleRecheck = TimeSpan.FromMilliseconds(500);

    private readonly Fetcher _owner;
    private readonly int _nodeId;
    private readonly SemaphoreSlim _slots = new(Slots, Slots);
    private readonly AsyncSignal _wake = new();
    private readonly FailureTracker _failures;
    private readonly Task _loop;

    public BrokerFetcher(Fetcher owner, int nodeId, CancellationToken stop)
    {
        _owner = owner;
        _nodeId = nodeId;
        _failures = new FailureTracker(owner.Options.RequestTimeout, owner.ReportError);
        _loop = Task.Run(() => RunAsync(stop), CancellationToken.None);
    }

    public void Wake() => _wake.Set();

    public async ValueTask DisposeAsync()
    {
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
                List<PlannedPartition>? plan = BuildPlan();
                if (plan is null)
                {
                    ReleaseSlot();
                    await _wake.WaitAsync(IdleRecheck, stop).ConfigureAwait(false);
                    continue;
                }

                await FetchAsync(plan, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                ConsumerLog.FetcherFailed(_owner.Logger, e.Message);
                await Task.Delay(_owner.Options.RetryBackoff, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Claims every ready partition this broker leads; null when there is none.</summary>
    private List<PlannedPartition>? BuildPlan()
    {
        List<PlannedPartition>? plan = null;
        long now = MonotonicClock.NowMs;
        SubscriptionState subscription = _owner.Subscription;
        lock (subscription.Gate)
        {
            foreach (PartitionState state in subscription.Partitions)
            {
                if (state.LeaderId == _nodeId && state.IsFetchable(now))
                {
                    state.FetchInFlight = true;
                    (plan ??= []).Add(new PlannedPartition(state, state.Version, state.FetchOffset));
                }
            }
        }

        return plan;
    }

    /// <summary>Sends one fetch and queues its response; the slot goes with the response or is released here.</summary>
    private async Task FetchAsync(List<PlannedPartition> plan, CancellationToken stop)
    {
        long started = MonotonicClock.NowMs;
        KafkaConnection? connection = null;
        ResponseLease<FetchResponse> lease;
        try
        {
            connection = await _owner.Cluster.GetAsync(_nodeId, stop).ConfigureAwait(false);
            short version = connection.PickVersion(ApiKey.Fetch, 4, 12);
            lease = await connection.SendLeasedAsync<FetchResponse>(BuildRequest(plan), version, stop).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            EndPlan(plan, backOff: true, forgetLeader: true);
            ReleaseSlot();
            if (connection is not null && e.Error is ErrorCode.NetworkException or ErrorCode.RequestTimedOut)
            {
                _owner.Cluster.Invalidate(_nodeId, connection);
            }

            ConsumerLog.FetchFailed(_owner.Logger, _nodeId, e.Message);
            _failures.Failure(e, started);
            _owner.RequestMetadataRefresh();
            await Task.Delay(_owner.Options.RetryBackoff, stop).ConfigureAwait(false);
            return;
        }
        catch
        {
            EndPlan(plan, backOff: false, forgetLeader: false);
            ReleaseSlot();
            throw;
        }

        _failures.Success();
        bool queued = false;
        try
        {
            queued = Process(lease, plan);
        }
        finally
        {
            if (!queued)
            {
                lease.Dispose();
                ReleaseSlot();
            }
        }
    }

    private FetchRequest BuildRequest(List<PlannedPartition> plan)
    {
        ConsumerOptions options = _owner.Options;
        var topics = new List<FetchRequest.FetchTopic>();
        foreach (IGrouping<string, PlannedPartition> topic in plan.GroupBy(p => p.State.Topic, StringComparer.Ordinal))
        {
            var partitions = new List<FetchRequest.FetchPartition>();
            foreach (PlannedPartition planned in topic)
            {
                partitions.Add(new FetchRequest.FetchPartition
                {
                    Partition = planned.State.Partition,
                    FetchOffset = planned.FetchOffset,
                    PartitionMaxBytes = options.MaxPartitionFetchBytes,
                });
            }

            topics.Add(new FetchRequest.FetchTopic { Topic = topic.Key, Partitions = partitions });
        }

        return new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = (int)options.FetchMaxWait.TotalMilliseconds,
            MinBytes = options.FetchMinBytes,
            MaxBytes = options.FetchMaxBytes,
            IsolationLevel = options.IsolationLevel == IsolationLevel.ReadCommitted ? (sbyte)1 : (sbyte)0,
            SessionId = 0,
            SessionEpoch = -1,
            Topics = topics,
            RackId = options.ClientRack ?? string.Empty,
        };
    }

    /// <summary>Turns the response into chunks and queues them; false when there was nothing to queue.</summary>
    private bool Process(ResponseLease<FetchResponse> lease, List<PlannedPartition> plan)
    {
        FetchResponse response = lease.Response;
        if (response.ErrorCode != 0)
        {
            EndPlan(plan, backOff: true, forgetLeader: false);
            ConsumerLog.FetchResponseFailed(_owner.Logger, _nodeId, (ErrorCode)response.ErrorCode);
            return false;
        }

        var byPartition = new Dictionary<TopicPartition, PlannedPartition>(plan.Count);
        foreach (PlannedPartition planned in plan)
        {
            byPartition[planned.State.TopicPartition] = planned;
        }

        var chunks = new List<FetchedChunk>();
        bool refresh = false;
        bool resetting = false;
        SubscriptionState subscription = _owner.Subscription;
        lock (subscription.Gate)
        {
            foreach (FetchResponse.FetchableTopicResponse topic in response.Responses)
            {
                foreach (FetchResponse.PartitionData data in topic.Partitions)
                {
                    if (!byPartition.Remove(new TopicPartition(topic.Topic, data.PartitionIndex), out PlannedPartition? planned))
                    {
                        continue;
                    }

                    PartitionState state = planned.State;
                    state.FetchInFlight = false;
                    if (state.Removed || state.Version != planned.Version)
                    {
                        continue;
                    }

                    var error = (ErrorCode)data.ErrorCode;
                    switch (error)
                    {
                        case ErrorCode.None:
                            state.HighWatermark = data.HighWatermark;
                            state.LastStableOffset = data.LastStableOffset;
                            state.LogStartOffset = data.LogStartOffset;
                            FetchedChunk? chunk = ToChunk(state, planned, data);
                            if (chunk is not null)
                            {
                                chunks.Add(chunk);
                                state.FetchOffset = chunk.NextFetchOffset;
                            }

                            break;
                        case ErrorCode.OffsetOutOfRange:
                            ConsumerLog.OffsetOutOfRange(_owner.Logger, topic.Topic, data.PartitionIndex, planned.FetchOffset, _owner.Options.AutoOffsetReset);
                            state.ResetTo(PositionResolver.ResetSource(_owner.Options.AutoOffsetReset));
                            resetting = true;
                            break;
                        case ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable or ErrorCode.UnknownTopicOrPartition
                            or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.KafkaStorageError
                            or ErrorCode.ReplicaNotAvailable or ErrorCode.OffsetNotAvailable or ErrorCode.UnknownTopicId:
                            ConsumerLog.FetchPartitionError(_owner.Logger, topic.Topic, data.PartitionIndex, error);
                            state.LeaderId = -1;
                            state.RetryAfterTicks = MonotonicClock.NowMs + (long)_owner.Options.RetryBackoff.TotalMilliseconds;
                            refresh = true;
                            break;
                        default:
                            ConsumerLog.FetchPartitionError(_owner.Logger, topic.Topic, data.PartitionIndex, error);
                            state.RetryAfterTicks = MonotonicClock.NowMs + (long)_owner.Options.RetryBackoff.TotalMilliseconds;
                            if (!KafkaErrors.IsRetriable(error))
                            {
                                _owner.ReportError(new KafkaException(error, $"Fetching {topic.Topic}-{data.PartitionIndex} failed with {error}."));
                            }

                            break;
                    }
                }
            }

            // A partition the broker left out is simply fetched again next time.
            foreach (PlannedPartition missing in byPartition.Values)
            {
                missing.State.FetchInFlight = false;
            }
        }

        if (resetting)
        {
            subscription.NotifyChanged();
            _owner.Signals.Raise();
        }

        if (refresh)
        {
            _owner.RequestMetadataRefresh();
        }

        if (chunks.Count == 0)
        {
            return false;
        }

        _owner.Buffer.Add(new FetchedResponse(lease, chunks, ReleaseSlot));
        return true;
    }

    /// <summary>
    /// The whole batches of a partition's records: a response may end with a batch cut short by the size limits,
    /// which the next fetch asks for again. Null when no whole batch arrived.
    /// </summary>
    private FetchedChunk? ToChunk(PartitionState state, PlannedPartition planned, FetchResponse.PartitionData data)
    {
        if (data.Records.IsNull || data.Records.LengthBytes == 0)
        {
            return null;
        }

        if (!MemoryMarshal.TryGetArray(data.Records.Bytes, out ArraySegment<byte> records) || records.Array is null)
        {
            throw new InvalidOperationException("Leased responses are array-backed.");
        }

        byte[] buffer = records.Array;
        int start = records.Offset;
        int end = start + records.Count;
        int position = start;
        long next = -1;
        while (end - position >= RecordBatchLayout.HeaderSize)
        {
            int size = RecordBatchLayout.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(position + RecordBatchLayout.BatchLengthOffset));
            if (size < RecordBatchLayout.HeaderSize)
            {
                // Corrupt: hand it over whole so the consuming thread reports it.
                position = end;
                break;
            }

            if (size > end - position)
            {
                break;
            }

            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(position));
            next = Math.Max(next, baseOffset + BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(position + RecordBatchLayout.LastOffsetDeltaOffset)) + 1);
            position += size;
        }

        if (position == start)
        {
            ConsumerLog.BatchTooLarge(_owner.Logger, state.Topic, state.Partition, planned.FetchOffset, records.Count);
            state.RetryAfterTicks = MonotonicClock.NowMs + (long)_owner.Options.RetryBackoff.TotalMilliseconds;
            return null;
        }

        next = Math.Max(next, planned.FetchOffset);
        List<FetchResponse.AbortedTransaction>? aborted = null;
        if (_owner.Options.IsolationLevel == IsolationLevel.ReadCommitted && data.AbortedTransactions is { Count: > 0 })
        {
            aborted = [.. data.AbortedTransactions.OrderBy(a => a.FirstOffset)];
        }

        return new FetchedChunk(state, planned.Version, buffer, start, position, next) { AbortedTransactions = aborted };
    }

    /// <summary>Ends a request's claim on its partitions without data.</summary>
    private void EndPlan(List<PlannedPartition> plan, bool backOff, bool forgetLeader)
    {
        long retryAt = MonotonicClock.NowMs + (long)_owner.Options.RetryBackoff.TotalMilliseconds;
        lock (_owner.Subscription.Gate)
        {
            foreach (PlannedPartition planned in plan)
            {
                planned.State.FetchInFlight = false;
                if (backOff)
                {
                    planned.State.RetryAfterTicks = retryAt;
                }

                if (forgetLeader)
                {
                    planned.State.LeaderId = -1;
                }
            }
        }
    }

    private void ReleaseSlot()
    {
        try
        {
            _slots.Release();
        }
        catch (ObjectDisposedException)
        {
            // The consumer is closing.
        }
    }

    private sealed record PlannedPartition(PartitionState State, int Version, long FetchOffset);
}
