using System.Diagnostics;

namespace FastLog.Engine.Commit;

/// <summary>
/// The durability state of one partition inside a <see cref="GroupCommitter"/>: how far its log is
/// durable, how far it was appended, and who is waiting for which offset.
/// </summary>
/// <remarks>
/// <para>Threading: any number of threads may append-notify, wait and request flushes concurrently.
/// <see cref="NotifyAppended"/> is lock-free and allocation-free. Waiting takes the tracker lock
/// briefly; the already-durable fast path takes no lock at all. Only the committer's flusher threads
/// call <see cref="IFlushable.FlushToDisk"/> and advance <see cref="DurableEndOffset"/>, one at a time (the busy mark and the flush lock).</para>
/// <para>Waiter guarantee: a <see cref="WaitForDurableAsync"/> task completes successfully only after
/// a flush returned an end offset at or past the offset waited for, i.e. the fsync that covers the
/// waiter's bytes has finished. It faults with the flush's exception if a flush of this partition
/// failed, with <see cref="ObjectDisposedException"/> if the partition was unregistered or the
/// committer disposed first, and is cancelled by its token. Offsets that were durable before such an
/// event stay durable, so waiting for them still succeeds at once.</para>
/// <para>Coalescing: a flush request is a bit in <c>_requests</c>; only the request that sets it from
/// zero schedules the tracker with the committer. The flusher clears the bits before it syncs, so a
/// waiter arriving during a sync schedules exactly one following sync, which then covers every waiter
/// that arrived meanwhile.</para>
/// <para>Failure: a failed flush fails the tracker for good (no retry; after a failed fsync the page
/// cache may no longer hold the data, so a later successful fsync would prove nothing).</para>
/// </remarks>
public sealed class CommitTracker
{
    /// <summary>Cap on pooled waiters per partition, so a burst does not pin memory forever.</summary>
    private const int MaxPooledWaiters = 1024;

    /// <summary>RequestFlush or a message threshold: flush regardless of waiters.</summary>
    private const int ExplicitRequest = 1;

    /// <summary>A waiter (any policy but EveryInterval): flush if anyone is still waiting when the flusher gets here.</summary>
    private const int WaiterRequest = 2;

    /// <summary>A flusher took the tracker off the queue: requests are recorded, and re-queue it when it ends.</summary>
    private const int Busy = 4;

    private readonly GroupCommitter _committer;
    private readonly IFlushable _target;
    private readonly CommitPolicyKind _policyKind;
    private readonly long _messageThreshold;

    // Guards _waiters, _pool, _terminalError and the writes of _durableEndOffset.
    private readonly Lock _lock = new();

    // Held by the flusher around FlushToDisk; Unregister takes it to wait out a flush in progress, so
    // the target is never flushed after Unregister returns.
    private readonly Lock _flushLock = new();

    private readonly PriorityQueue<DurabilityWaiter, long> _waiters = new();
    private readonly Stack<DurabilityWaiter> _pool = new();
    private long _durableEndOffset;
    private long _appendedEndOffset;
    private long _unflushedMessages;
    private int _requests;
    private Exception? _terminalError;

    internal CommitTracker(GroupCommitter committer, IFlushable target, long durableEndOffset, CommitPolicy policy)
    {
        _committer = committer;
        _target = target;
        _policyKind = policy.Kind;
        _messageThreshold = policy.MessageThreshold;
        _durableEndOffset = durableEndOffset;
        _appendedEndOffset = durableEndOffset;
    }

    /// <summary>Exclusive end of the durable prefix: every offset below it has been fsynced.</summary>
    public long DurableEndOffset => Volatile.Read(ref _durableEndOffset);

    /// <summary>The highest exclusive end offset passed to <see cref="NotifyAppended"/> (or the durable end, if higher at open).</summary>
    public long AppendedEndOffset => Volatile.Read(ref _appendedEndOffset);

    /// <summary>True once a flush failed or the tracker was closed; waits past <see cref="DurableEndOffset"/> then fault.</summary>
    public bool IsFaulted => Volatile.Read(ref _terminalError) is not null;

    /// <summary>
    /// Tells the committer that the log now extends to <paramref name="endOffsetExclusive"/> with
    /// <paramref name="messageCount"/> more messages. Call after every append; lock-free, allocation-free.
    /// </summary>
    public void NotifyAppended(long endOffsetExclusive, int messageCount)
    {
        long current = Volatile.Read(ref _appendedEndOffset);
        while (endOffsetExclusive > current)
        {
            long seen = Interlocked.CompareExchange(ref _appendedEndOffset, endOffsetExclusive, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }

        if (_policyKind == CommitPolicyKind.EveryMessages && messageCount > 0)
        {
            long after = Interlocked.Add(ref _unflushedMessages, messageCount);

            // Only the append that crosses the threshold schedules; the rest ride on that flush. Inside a
            // ThresholdFlushDeferral the request waits for the end of the appending thread's group.
            if (after >= _messageThreshold && after - messageCount < _messageThreshold && !ThresholdFlushDeferral.TryDefer(this))
            {
                Request(ExplicitRequest);
            }
        }
    }

    /// <summary>
    /// Completes once every offset below <paramref name="endOffsetExclusive"/> is durable.
    /// Already durable: a completed <see cref="ValueTask"/> without locking or allocating. Otherwise a
    /// pooled waiter that the flush covering the offset completes (continuations run asynchronously).
    /// </summary>
    public ValueTask WaitForDurableAsync(long endOffsetExclusive, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _durableEndOffset) >= endOffsetExclusive)
        {
            return default;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        DurabilityWaiter waiter;
        lock (_lock)
        {
            // Re-checked under the lock: the flusher advances the durable end and completes the queue
            // under this same lock, so a waiter queued here cannot miss the flush that covers it.
            if (_durableEndOffset >= endOffsetExclusive)
            {
                return default;
            }

            if (_terminalError is { } error)
            {
                return ValueTask.FromException(error);
            }

            waiter = _pool.TryPop(out var pooled) ? pooled : new DurabilityWaiter(this);
            waiter.IsQueued = true;
            _waiters.Enqueue(waiter, endOffsetExclusive);
        }

        // Read before anything can complete and recycle it: nobody consumes the waiter before we return.
        short version = waiter.Version;
        if (cancellationToken.CanBeCanceled)
        {
            waiter.RegisterCancellation(cancellationToken);
        }

        // Every policy but the interval one (whose tick bounds the wait) flushes for a waiter.
        if (_policyKind != CommitPolicyKind.EveryInterval)
        {
            Request(WaiterRequest);
        }

        return new ValueTask(waiter, version);
    }

    /// <summary>Asks for a flush of this partition now, whatever the policy (segment roll, close).</summary>
    public void RequestFlush() => Request(ExplicitRequest);

    internal IFlushable Target => _target;

    internal GroupCommitter Committer => _committer;

    internal bool HasPendingWaiters
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count > 0;
            }
        }
    }

    /// <summary>Dirty: appended past the durable end, or someone waits (maybe for bytes not yet notified).</summary>
    internal bool IsDirty => Volatile.Read(ref _appendedEndOffset) > Volatile.Read(ref _durableEndOffset) || HasPendingWaiters;

    /// <summary>
    /// Flusher thread, for a tracker just taken off the queue: takes the pending request bits and marks
    /// the tracker busy, so requests from now on only accumulate (no second flusher picks it up); true
    /// when they call for a flush. Always followed by <see cref="EndQueuedFlush"/>.
    /// </summary>
    internal bool BeginQueuedFlush()
    {
        int requests = Interlocked.Exchange(ref _requests, Busy);
        return (requests & ExplicitRequest) != 0 || ((requests & WaiterRequest) != 0 && HasPendingWaiters);
    }

    /// <summary>Clears the busy mark; requests made meanwhile queue the tracker once more.</summary>
    internal void EndQueuedFlush()
    {
        int pending = Interlocked.Exchange(ref _requests, 0) & ~Busy;
        if (pending != 0)
        {
            Request(pending);
        }
    }

    /// <summary>
    /// Flusher threads only, one at a time. Flushes the target and completes the waiters it covers; on failure fails
    /// the tracker. Returns the number of waiters completed successfully, or -1 if nothing was flushed.
    /// </summary>
    internal int Flush()
    {
        lock (_flushLock)
        {
            if (Volatile.Read(ref _terminalError) is not null)
            {
                return -1;
            }

            // Counted before the sync: messages appended during it may or may not be covered, and
            // counting them as unflushed only makes the next threshold flush come a little early.
            long messagesBefore = Interlocked.Read(ref _unflushedMessages);
            var observer = _committer.Observer;
            long started = observer is null ? 0 : Stopwatch.GetTimestamp();
            long flushedEndOffset;
            try
            {
                flushedEndOffset = _target.FlushToDisk();
            }
            catch (Exception error)
            {
                observer?.OnFlushed(Stopwatch.GetElapsedTime(started), succeeded: false);

                // Any exception, not just IOException: the flusher thread must survive a faulty target,
                // and the partition's waiters must learn why their data is not durable.
                Fail(error);
                return 0;
            }

            // Before the waiters complete, so a producer answered after this fsync finds it counted.
            observer?.OnFlushed(Stopwatch.GetElapsedTime(started), succeeded: true);

            if (_policyKind == CommitPolicyKind.EveryMessages)
            {
                long remaining = Interlocked.Add(ref _unflushedMessages, -messagesBefore);

                // The threshold was crossed again during the sync; nobody will cross it once more.
                if (remaining >= _messageThreshold)
                {
                    Request(ExplicitRequest);
                }
            }

            int completed = AdvanceDurable(flushedEndOffset);

            // After the waiters are released, so slower housekeeping never delays their answers;
            // still under the flush lock, so nothing touches the target after Unregister returns.
            long preparing = observer is null ? 0 : Stopwatch.GetTimestamp();
            try
            {
                if (_target.AfterFlush())
                {
                    observer?.OnPrepared(Stopwatch.GetElapsedTime(preparing), succeeded: true);
                }
            }
            catch (Exception error)
            {
                observer?.OnPrepared(Stopwatch.GetElapsedTime(preparing), succeeded: false);
                Fail(error);
            }

            return completed;
        }
    }

    /// <summary>Unregister or committer shutdown: waits out a running flush, then faults every pending and later waiter.</summary>
    internal void Close(ObjectDisposedException error)
    {
        lock (_flushLock)
        {
            Fail(error);
        }
    }

    internal void TryCancel(DurabilityWaiter waiter)
    {
        lock (_lock)
        {
            if (!waiter.IsQueued || !_waiters.Remove(waiter, out _, out _))
            {
                return; // the flusher or a close got there first
            }

            waiter.IsQueued = false;
            waiter.SetCanceled();
        }
    }

    internal void ReturnWaiter(DurabilityWaiter waiter)
    {
        lock (_lock)
        {
            if (_pool.Count < MaxPooledWaiters)
            {
                _pool.Push(waiter);
            }
        }
    }

    private void Request(int reason)
    {
        if (Interlocked.Or(ref _requests, reason) == 0)
        {
            _committer.Schedule(this);
        }
    }

    private int AdvanceDurable(long flushedEndOffset)
    {
        int completed = 0;
        lock (_lock)
        {
            if (flushedEndOffset > _durableEndOffset)
            {
                Volatile.Write(ref _durableEndOffset, flushedEndOffset);
            }

            long durable = _durableEndOffset;
            while (_waiters.TryPeek(out var waiter, out long endOffset) && endOffset <= durable)
            {
                _waiters.Dequeue();
                waiter.IsQueued = false;
                waiter.SetDurable();
                completed++;
            }
        }

        return completed;
    }

    private void Fail(Exception error)
    {
        lock (_lock)
        {
            // The first error wins: a flush failure stays the reason even after a later close.
            _terminalError ??= error;
            while (_waiters.TryDequeue(out var waiter, out _))
            {
                waiter.IsQueued = false;
                waiter.SetException(_terminalError);
            }
        }
    }
}
