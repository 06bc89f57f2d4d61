using FastLog.Client.Cluster;
using FastLog.Protocol;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Producer;

/// <summary>
/// The producer's single background loop (the Java client's Sender): once a broker has a batch whose linger has passed
/// (or that is full, or flushed), drains every partition that broker leads, so one ProduceRequest carries them all,
/// and pipelines up to <c>max.in.flight.requests.per.connection</c> requests per broker. Responses complete the
/// batches, or put them back for a retry in their original order.
/// </summary>
/// <remarks>
/// <para>One loop means one place decides order: requests are written to a connection in the order this loop sends
/// them, and each request's response is handled only after the previous request's (see <see cref="NodeState.LastHandled"/>),
/// so a partition's batches are acknowledged in the order they were produced.</para>
/// <para>Idempotence: a batch gets its sequence when first drained and keeps it for every resend, so the broker
/// drops a resent batch it already wrote. A batch being resent goes out only when nothing else of its partition is
/// in flight; that keeps sequences arriving in order after a failure. When sequences can no longer line up (a
/// sequenced batch failed for good, or the broker lost the producer's state) the epoch is bumped and every
/// partition's sequences restart at 0 (KIP-360), once nothing is in flight.</para>
/// <para>The loop never blocks on I/O: connecting, metadata refreshes and InitProducerId run as tasks whose
/// completion wakes it.</para>
/// </remarks>
internal sealed partial class Sender : IAsyncDisposable
{
    /// <summary>Answers the broker may still owe for a partition while new batches go out: its idempotence window.</summary>
    private const int MaxInFlightBatchesPerPartition = ProducerOptions.MaxIdempotentInFlight;

    private readonly ProducerOptions _options;
    private readonly RecordAccumulator _accumulator;
    private readonly ClusterConnections _cluster;
    private readonly SenderSignal _signal;
    private readonly ILogger _logger;
    private readonly Dictionary<int, NodeState> _nodes = [];
    private readonly List<ProducerBatch> _expired = [];
    private readonly List<NodeState> _sendable = [];
    private readonly HashSet<int> _dueNodes = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly ProducerIdentity? _identity;
    private readonly long _lingerMs;
    private readonly long _deliveryTimeoutMs;
    private readonly long _backoffMs;
    private Task _loop = Task.CompletedTask;
    private Task? _metadataRefresh;
    private Task? _identityInit;
    private long _metadataBackoffUntilTicks;
    private long _identityBackoffUntilTicks;
    private int _flushing;
    private int _inFlightRequests;
    private volatile bool _closing;
    private volatile bool _metadataNeeded;
    private volatile bool _epochBumpNeeded;

    public Sender(ProducerOptions options, RecordAccumulator accumulator, ClusterConnections cluster, SenderSignal signal, ILogger logger)
    {
        _options = options;
        _accumulator = accumulator;
        _cluster = cluster;
        _signal = signal;
        _logger = logger;
        _identity = options.IdempotenceEnabled ? new ProducerIdentity() : null;
        _lingerMs = (long)options.Linger.TotalMilliseconds;
        _deliveryTimeoutMs = (long)options.DeliveryTimeout.TotalMilliseconds;
        _backoffMs = Math.Max(1, (long)options.RetryBackoff.TotalMilliseconds);
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>Makes every open batch ready now, until <see cref="EndFlush"/>.</summary>
    public void BeginFlush()
    {
        Interlocked.Increment(ref _flushing);
        _signal.Set();
    }

    public void EndFlush() => Interlocked.Decrement(ref _flushing);

    /// <summary>Asks for a metadata refresh (a leader moved, a topic is new).</summary>
    public void RequestMetadata()
    {
        _metadataNeeded = true;
        _signal.Set();
    }

    /// <summary>Sends everything still queued, waits for the answers (or delivery timeouts), and stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        _closing = true;
        _signal.Set();
        await _loop.ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (true)
        {
            long waitMs;
            try
            {
                waitMs = RunOnce();
            }
#pragma warning disable CA1031 // The loop must outlive any bug in one pass, or every pending record would hang.
            catch (Exception e)
#pragma warning restore CA1031
            {
                ProducerLog.SenderLoopFailed(_logger, e);
                waitMs = _backoffMs;
            }

            if (_closing && _accumulator.IncompleteCount == 0 && Volatile.Read(ref _inFlightRequests) == 0)
            {
                return;
            }

            await _signal.WaitAsync(waitMs).ConfigureAwait(false);
        }
    }

    /// <summary>One pass: bookkeeping, drain, send. Returns how long to sleep (-1: until woken).</summary>
    private long RunOnce()
    {
        long now = MonotonicClock.NowMs;
        long wakeAt = long.MaxValue;
        bool canSend = PrepareIdentity(now, ref wakeAt);
        MaybeRefreshMetadata(now, ref wakeAt);
        bool again = Drain(now, canSend, ref wakeAt);
        FailExpired();
        try
        {
            foreach (NodeState node in _sendable)
            {
                SendRequest(node);
            }
        }
        finally
        {
            _sendable.Clear();
        }

        if (again)
        {
            return 0;
        }

        return wakeAt == long.MaxValue ? -1 : Math.Max(1, wakeAt - now);
    }

    /// <summary>
    /// Collects at most one batch per partition into per-leader requests. Returns true when more is ready than this
    /// pass could take (another pass should follow at once).
    /// </summary>
    private bool Drain(long now, bool canSend, ref long wakeAt)
    {
        bool sendOpen = Volatile.Read(ref _flushing) > 0 || _closing || _accumulator.Memory.IsExhausted;
        ClusterMetadata metadata = _cluster.Metadata.Current;
        if (!sendOpen)
        {
            FindDueNodes(now, metadata);
        }

        bool again = false;
        foreach (PartitionQueue queue in _accumulator.Partitions)
        {
            if (!queue.HasQueued)
            {
                continue;
            }

            BrokerNode? leader = metadata.LeaderFor(queue.Topic, queue.Partition);
            bool nodeDue = leader is not null && _dueNodes.Contains(leader.NodeId);
            lock (queue.Gate)
            {
                ProducerBatch? open = queue.Open;
                if (open is not null)
                {
                    if (sendOpen || nodeDue || now - open.CreatedTicks >= _lingerMs)
                    {
                        queue.CloseOpen();
                    }
                    else
                    {
                        wakeAt = Math.Min(wakeAt, open.CreatedTicks + _lingerMs);
                    }
                }

                ExpireQueued(queue, now, ref wakeAt);
                if (canSend && queue.Ready.Count > 0)
                {
                    again |= TryTakeBatch(queue, leader, now, ref wakeAt);
                }

                queue.UpdateQueued();
            }
        }

        return again;
    }

    /// <summary>
    /// Collects the brokers that have something to send now (a batch whose linger is over, or a full or
    /// flushed one free to go) and room for another request. As in the Java client, every partition led by such
    /// a broker then goes in the same request, open batches included: a producer sends one request per
    /// broker and linger period instead of one per partition whose linger happens to end.
    /// </summary>
    private void FindDueNodes(long now, ClusterMetadata metadata)
    {
        _dueNodes.Clear();
        foreach (PartitionQueue queue in _accumulator.Partitions)
        {
            if (!queue.HasQueued)
            {
                continue;
            }

            bool due;
            lock (queue.Gate)
            {
                // A ready batch counts only if it could leave now: one backing off before a retry, or held
                // back by its partition's answers in flight, must not make every other partition skip its linger.
                due = (queue.Ready.PeekFirst() is { } head && !MustWait(queue, head, now)) ||
                    (queue.Open is { } open && now - open.CreatedTicks >= _lingerMs);
            }

            if (due && metadata.LeaderFor(queue.Topic, queue.Partition) is { } leader && !_dueNodes.Contains(leader.NodeId) &&
                Node(leader.NodeId).InFlight < _options.MaxInFlightRequestsPerConnection)
            {
                _dueNodes.Add(leader.NodeId);
            }
        }
    }

    /// <summary>
    /// Whether the partition's first ready batch must stay queued whatever its broker can take: a producing
    /// thread is still compressing it (and wakes the sender when done), it waits out a retry backoff, it is a
    /// resend and something else of the partition is in flight (so it cannot overtake or be overtaken), or
    /// the partition's idempotence window is full. Caller holds the queue's lock.
    /// </summary>
    private bool MustWait(PartitionQueue queue, ProducerBatch head, long now) =>
        head.IsCompressing ||
        head.RetryAtTicks > now ||
        (head.Attempts > 0 && queue.InFlight.Count > 0) ||
        (_identity is not null && queue.InFlight.Count >= MaxInFlightBatchesPerPartition);

    /// <summary>Moves the partition's first ready batch into its leader's next request (null: leader unknown), if everything allows it. Caller holds the queue's lock.</summary>
    private bool TryTakeBatch(PartitionQueue queue, BrokerNode? leader, long now, ref long wakeAt)
    {
        ProducerBatch head = queue.Ready.PeekFirst()!;
        if (head.RetryAtTicks > now)
        {
            wakeAt = Math.Min(wakeAt, head.RetryAtTicks);
        }

        if (MustWait(queue, head, now))
        {
            return false;
        }

        if (leader is null)
        {
            _metadataNeeded = true;
            return false;
        }

        NodeState node = Node(leader.NodeId);
        if (!TryConnection(node, now, ref wakeAt) || node.InFlight >= _options.MaxInFlightRequestsPerConnection)
        {
            return false;
        }

        if (node.Pending.Count > 0 && node.PendingBytes + head.EstimatedSizeBytes > _options.MaxRequestSize)
        {
            return true;
        }

        queue.Ready.RemoveFirst();
        if (_identity is not null && head.BaseSequence < 0)
        {
            head.ProducerId = _identity.ProducerId;
            head.ProducerEpoch = _identity.Epoch;
            head.BaseSequence = queue.NextSequence;
            queue.NextSequence = Sequences.Add(queue.NextSequence, head.RecordCount);
        }

        head.Attempts++;
        queue.InFlight.Add(head);
        if (node.Pending.Count == 0)
        {
            _sendable.Add(node);
        }

        node.Pending.Add(head);
        node.PendingBytes += head.EstimatedSizeBytes;
        return queue.Ready.Count > 0;
    }

    /// <summary>Takes batches past <c>delivery.timeout.ms</c> off the ready queue (oldest first). Caller holds the queue's lock.</summary>
    private void ExpireQueued(PartitionQueue queue, long now, ref long wakeAt)
    {
        while (queue.Ready.PeekFirst() is { IsCompressing: false } first)
        {
            long expiresAt = first.CreatedTicks + _deliveryTimeoutMs;
            if (now < expiresAt)
            {
                wakeAt = Math.Min(wakeAt, expiresAt);
                return;
            }

            queue.Ready.RemoveFirst();
            _expired.Add(first);
        }
    }

    private void FailExpired()
    {
        foreach (ProducerBatch batch in _expired)
        {
            string reason = $"delivery.timeout.ms ({_deliveryTimeoutMs} ms) passed before the batch was acknowledged" +
                (batch.Attempts == 0 ? " (it was never sent: is the partition's leader reachable?)." : $" after {batch.Attempts} attempts.");
            Fail(batch, ErrorCode.RequestTimedOut, reason);
        }

        _expired.Clear();
    }

    private NodeState Node(int nodeId)
    {
        if (!_nodes.TryGetValue(nodeId, out NodeState? node))
        {
            node = new NodeState(nodeId);
            _nodes[nodeId] = node;
        }

        return node;
    }

    /// <summary>True when <paramref name="node"/> has a live connection; otherwise starts (or checks) an attempt to open one.</summary>
    private bool TryConnection(NodeState node, long now, ref long wakeAt)
    {
        if (node.Connection is { IsConnected: true })
        {
            return true;
        }

        node.Connection = null;
        if (node.Connecting is { } connecting)
        {
            if (!connecting.IsCompleted)
            {
                return false;
            }

            node.Connecting = null;
            if (connecting.IsCompletedSuccessfully && connecting.Result.IsConnected)
            {
                node.Connection = connecting.Result;
                return true;
            }

            string reason = connecting.Exception?.InnerException?.Message ?? "connection closed";
            ProducerLog.ConnectionUnavailable(_logger, node.NodeId, reason);
            node.BackoffUntilTicks = now + _backoffMs;
            _metadataNeeded = true;
        }

        if (now < node.BackoffUntilTicks)
        {
            wakeAt = Math.Min(wakeAt, node.BackoffUntilTicks);
            return false;
        }

        Task<KafkaConnection> attempt = _cluster.GetAsync(node.NodeId, _stop.Token);
        node.Connecting = attempt;
        if (attempt.IsCompleted)
        {
            return TryConnection(node, now, ref wakeAt);
        }

        attempt.ContinueWith(static (_, state) => ((SenderSignal)state!).Set(), _signal, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return false;
    }
}
