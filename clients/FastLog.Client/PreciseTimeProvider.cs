using System.Diagnostics;

namespace FastLog.Client;

/// <summary>
/// A <see cref="TimeProvider"/> whose timers fire within about a millisecond of their due time. The
/// producer's sender sleeps on one of them until the next batch's linger ends.
/// </summary>
/// <remarks>
/// <para>Why: .NET's own timers compare due times with <see cref="Environment.TickCount64"/>, which on
/// Linux advances only on the kernel's timer tick (every 4 ms with <c>CONFIG_HZ=250</c>), so a 1 ms timer
/// fires after 4-5 ms there. With <c>linger.ms=1</c> that was most of a record's produce latency. Here one
/// background thread sleeps on a monitor until the earliest due time read from the precise monotonic
/// clock (<see cref="Stopwatch"/>); the monitor's timed wait is precise to about 0.1 ms.</para>
/// <para>Threading: callbacks run on that one thread, one after another, so they must be short and must
/// not block (the producer's only callback sets a signal). As with <see cref="TimeProvider.System"/>, a
/// callback may still run once right after <see cref="ITimer.Change"/> or <see cref="IDisposable.Dispose"/>
/// if it was already due. Scheduling allocates nothing once the queue has grown.</para>
/// </remarks>
internal sealed class PreciseTimeProvider : TimeProvider
{
    // Guards _due and every timer's state; the timer thread sleeps on it.
    private readonly object _gate = new();

    // Armed timers by due timestamp, each at most once.
    private readonly PriorityQueue<PreciseTimer, long> _due = new();
    private Thread? _thread;

    /// <summary>A provider with its own timer thread; the producer uses <see cref="Instance"/>, tests their own.</summary>
    internal PreciseTimeProvider()
    {
    }

    /// <summary>The process-wide instance (one timer thread, started on first use).</summary>
    public static PreciseTimeProvider Instance { get; } = new();

    /// <summary>Entries waiting to fall due: one per armed timer.</summary>
    internal int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _due.Count;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new PreciseTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private static long ToTicks(TimeSpan span)
    {
        // Capped far from overflow when added to a timestamp (a due time of centuries is never reached anyway).
        double ticks = span.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond);
        return ticks >= long.MaxValue / 4 ? long.MaxValue / 4 : (long)ticks;
    }

    private bool Change(PreciseTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, Timeout.InfiniteTimeSpan);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            if (timer.Disposed)
            {
                return false;
            }

            Unqueue(timer);
            timer.PeriodTicks = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? 0 : Math.Max(1, ToTicks(period));
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            Enqueue(timer, Stopwatch.GetTimestamp() + ToTicks(dueTime));
            return true;
        }
    }

    private void Cancel(PreciseTimer timer)
    {
        lock (_gate)
        {
            Unqueue(timer);
            timer.Disposed = true;
        }
    }

    // Caller holds _gate. Takes the timer's pending entry out, so a timer re-armed thousands of times a
    // second (the sender's, on every wake-up) keeps one entry, not one per Change until each falls due.
    private void Unqueue(PreciseTimer timer)
    {
        if (timer.Queued)
        {
            _due.Remove(timer, out _, out _);
            timer.Queued = false;
        }
    }

    // Caller holds _gate.
    private void Enqueue(PreciseTimer timer, long dueTimestamp)
    {
        bool earliest = !_due.TryPeek(out _, out long first) || dueTimestamp < first;
        _due.Enqueue(timer, dueTimestamp);
        timer.Queued = true;
        if (_thread is null)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "fastlog-client-timer" };
            _thread.Start();
        }
        else if (earliest)
        {
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            PreciseTimer timer;
            lock (_gate)
            {
                if (!_due.TryPeek(out var next, out long dueTimestamp))
                {
                    Monitor.Wait(_gate);
                    continue;
                }

                long remaining = dueTimestamp - Stopwatch.GetTimestamp();
                if (remaining > 0)
                {
                    // Rounded up: waking early would only mean another round of waiting.
                    long waitMs = Math.Min(int.MaxValue, (remaining + MonotonicClock.TicksPerMillisecond - 1) / MonotonicClock.TicksPerMillisecond);
                    Monitor.Wait(_gate, (int)waitMs);
                    continue;
                }

                _due.Dequeue();
                timer = next;
                timer.Queued = false;
                if (timer.PeriodTicks > 0)
                {
                    Enqueue(timer, dueTimestamp + timer.PeriodTicks);
                }
            }

            timer.Fire();
        }
    }

    private sealed class PreciseTimer(PreciseTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        // All guarded by the owner's gate.
        public long PeriodTicks;
        public bool Queued;
        public bool Disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.Change(this, dueTime, period);

        public void Fire() => callback(state);

        public void Dispose() => owner.Cancel(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
