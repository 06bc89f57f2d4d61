namespace FastLog.Engine.Commit;

/// <summary>
/// One flusher per log directory: a dedicated thread that fsyncs partitions on behalf of many
/// appenders and completes every durability waiter each fsync covers (group commit).
/// </summary>
/// <remarks>
/// <para>Threading: appenders never touch the disk here. They notify appends and wait on their
/// partition's <see cref="CommitTracker"/>; when the policy calls for a flush, the tracker is put on
/// the committer's schedule and the flusher thread is signalled (a monitor pulse, no polling). The
/// flusher alone calls <see cref="IFlushable.FlushToDisk"/>, one partition at a time, and completes
/// waiters with asynchronous continuations, so no user code ever runs on it.</para>
/// <para>Coalescing: a partition is scheduled at most once at a time; every request made while it is
/// scheduled or being flushed folds into one flush. Under <see cref="CommitPolicy.Immediate"/> that
/// means N producers waiting at once cost one fsync for those already waiting plus one for all who
/// arrived during it, whatever N is.</para>
/// <para>Time: <see cref="CommitPolicy.EveryInterval"/> ticks come from a timer of the
/// <see cref="TimeProvider"/>, which only sets a flag and signals the flusher.</para>
/// <para>Shutdown: <see cref="Dispose"/> flushes every dirty registered partition once more, completes
/// the waiters that flush covers, faults the rest (and any later wait) with
/// <see cref="ObjectDisposedException"/>, and joins the thread.</para>
/// </remarks>
public sealed class GroupCommitter : IAsyncDisposable, IDisposable
{
    private readonly CommitPolicy _policy;
    private readonly Thread _thread;
    private readonly ITimer? _intervalTimer;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guards _scheduled, _trackers (writes), _tickPending and _disposeRequested. A plain object, not a
    // Lock, because the flusher sleeps on it with Monitor.Wait and is woken by Monitor.Pulse.
    private readonly object _gate = new();

    // Trackers with pending requests. The flusher swaps it with _draining so scheduling never waits
    // for a flush and neither list is reallocated in steady state.
    private List<CommitTracker> _scheduled = [];
    private List<CommitTracker> _draining = [];

    // Copy-on-write, so the flusher can walk it on a tick without holding the gate.
    private CommitTracker[] _trackers = [];
    private bool _tickPending;
    private bool _disposeRequested;
    private long _flushCount;
    private long _completedWaiterCount;

    /// <summary>
    /// Starts the flusher thread <c>fastlog-flush-{name}</c> (and, for an interval policy, its timer).
    /// <paramref name="observer"/>, when given, is told the duration of every fsync.
    /// </summary>
    public GroupCommitter(CommitPolicy policy, TimeProvider timeProvider, string name, IFlushObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentException.ThrowIfNullOrEmpty(name);
        _policy = policy;
        Name = name;
        Observer = observer;
        _thread = new Thread(Run)
        {
            Name = $"fastlog-flush-{name}",

            // A forgotten Dispose must not keep the process alive; durability then relies on the
            // owner's explicit flush on close.
            IsBackground = true,
        };
        _thread.Start();
        if (policy.Kind == CommitPolicyKind.EveryInterval)
        {
            _intervalTimer = timeProvider.CreateTimer(static state => ((GroupCommitter)state!).OnTick(), this, policy.Interval, policy.Interval);
        }
    }

    /// <summary>The name given at construction (the log directory, typically).</summary>
    public string Name { get; }

    /// <summary>The policy this committer applies to every partition.</summary>
    public CommitPolicy Policy => _policy;

    /// <summary>Told the duration of every fsync (flusher thread); null when nobody listens.</summary>
    public IFlushObserver? Observer { get; }

    /// <summary>Calls to <see cref="IFlushable.FlushToDisk"/> so far, failed ones included.</summary>
    public long FlushCount => Interlocked.Read(ref _flushCount);

    /// <summary>Waiters completed successfully by a flush (fast-path waits are not counted).</summary>
    public long CompletedWaiterCount => Interlocked.Read(ref _completedWaiterCount);

    /// <summary>
    /// Starts tracking one partition. <paramref name="durableEndOffset"/> is what is already durable
    /// at open (recovery fsyncs what it keeps), so waits below it complete at once.
    /// </summary>
    public CommitTracker Register(IFlushable target, long durableEndOffset)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegative(durableEndOffset);
        var tracker = new CommitTracker(this, target, durableEndOffset, _policy);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposeRequested, this);
            _trackers = [.. _trackers, tracker];
        }

        return tracker;
    }

    /// <summary>
    /// Stops tracking a partition. Waits for a flush of it that is running, so its target is never
    /// flushed after this returns; pending and later waits fault with <see cref="ObjectDisposedException"/>.
    /// To close cleanly, request a flush and wait for the log end first.
    /// </summary>
    public void Unregister(CommitTracker tracker)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        if (tracker.Committer != this)
        {
            throw new ArgumentException("The tracker belongs to another group committer.", nameof(tracker));
        }

        lock (_gate)
        {
            int index = Array.IndexOf(_trackers, tracker);
            if (index < 0)
            {
                return; // already unregistered, or closed by Dispose
            }

            var remaining = new CommitTracker[_trackers.Length - 1];
            Array.Copy(_trackers, 0, remaining, 0, index);
            Array.Copy(_trackers, index + 1, remaining, index, remaining.Length - index);
            _trackers = remaining;
        }

        tracker.Close(new ObjectDisposedException(nameof(CommitTracker), "The partition was unregistered from the group committer."));
    }

    /// <summary>Flushes what is dirty, settles every waiter and joins the flusher thread.</summary>
    public void Dispose()
    {
        RequestStop();
        _intervalTimer?.Dispose();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    /// <summary>As <see cref="Dispose"/>, but awaits the flusher's exit instead of blocking a thread on it.</summary>
    public async ValueTask DisposeAsync()
    {
        RequestStop();
        if (_intervalTimer is not null)
        {
            await _intervalTimer.DisposeAsync();
        }

        await _stopped.Task;
    }

    /// <summary>Called by a tracker whose request bits went from none to some.</summary>
    internal void Schedule(CommitTracker tracker)
    {
        lock (_gate)
        {
            // After a stop request the final round still flushes every registered tracker.
            _scheduled.Add(tracker);
            Monitor.Pulse(_gate);
        }
    }

    private void OnTick()
    {
        lock (_gate)
        {
            _tickPending = true;
            Monitor.Pulse(_gate);
        }
    }

    private void RequestStop()
    {
        lock (_gate)
        {
            _disposeRequested = true;
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        try
        {
            bool stopping = false;
            while (!stopping)
            {
                bool tick;
                lock (_gate)
                {
                    while (_scheduled.Count == 0 && !_tickPending && !_disposeRequested)
                    {
                        Monitor.Wait(_gate);
                    }

                    (_scheduled, _draining) = (_draining, _scheduled);
                    tick = _tickPending;
                    _tickPending = false;
                    stopping = _disposeRequested;
                }

                foreach (var tracker in _draining)
                {
                    if (tracker.TakeRequestNeedsFlush())
                    {
                        Flush(tracker);
                    }
                }

                _draining.Clear();

                if (tick || stopping)
                {
                    // Also the final round: once more for everything dirty, then settle the rest.
                    foreach (var tracker in Volatile.Read(ref _trackers))
                    {
                        if (tracker.IsDirty)
                        {
                            Flush(tracker);
                        }
                    }
                }
            }

            CommitTracker[] remaining;
            lock (_gate)
            {
                remaining = _trackers;
            }

            foreach (var tracker in remaining)
            {
                tracker.Close(new ObjectDisposedException(nameof(GroupCommitter), "The group committer was disposed before this offset became durable."));
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void Flush(CommitTracker tracker)
    {
        int completed = tracker.Flush();
        if (completed < 0)
        {
            return;
        }

        Interlocked.Increment(ref _flushCount);
        if (completed > 0)
        {
            Interlocked.Add(ref _completedWaiterCount, completed);
        }
    }
}
