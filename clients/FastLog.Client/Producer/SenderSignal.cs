using System.Threading.Tasks.Sources;

namespace FastLog.Client.Producer;

/// <summary>
/// Wakes the sender loop: an auto-reset event it awaits with a timeout (the next linger expiry or retry backoff),
/// set by appenders (batch opened or full), by responses (in-flight slot freed) and by the timer. One reusable
/// <see cref="IValueTaskSource"/> and one timer serve every wait, so an idle or busy sender allocates nothing to sleep.
/// </summary>
/// <remarks>
/// States: idle (0), set while nobody waits (1), waiting (2). Continuations run on the thread pool, never inline in
/// <see cref="Set"/>, so an appending thread does not end up running the sender loop.
/// </remarks>
internal sealed class SenderSignal : IValueTaskSource, IDisposable
{
    private const int Idle = 0;
    private const int Signaled = 1;
    private const int Waiting = 2;

    private readonly ITimer _timer;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;

    public SenderSignal(TimeProvider time)
    {
        _timer = time.CreateTimer(static state => ((SenderSignal)state!).Set(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Wakes the waiter, or makes the next wait return at once.</summary>
    public void Set()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == Signaled)
            {
                return;
            }

            if (state == Idle)
            {
                if (Interlocked.CompareExchange(ref _state, Signaled, Idle) == Idle)
                {
                    return;
                }

                continue;
            }

            if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
            {
                _core.SetResult(true);
                return;
            }
        }
    }

    /// <summary>Waits for <see cref="Set"/> or <paramref name="timeoutMs"/> (negative: no timeout). One waiter at a time.</summary>
    public ValueTask WaitAsync(long timeoutMs)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signaled) == Signaled)
        {
            return ValueTask.CompletedTask;
        }

        if (timeoutMs == 0)
        {
            return ValueTask.CompletedTask;
        }

        _core.Reset();
        short token = _core.Version;
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle)
        {
            // Set in between: consume it.
            Volatile.Write(ref _state, Idle);
            return ValueTask.CompletedTask;
        }

        if (timeoutMs > 0)
        {
            _timer.Change(TimeSpan.FromMilliseconds(timeoutMs), Timeout.InfiniteTimeSpan);
        }

        return new ValueTask(this, token);
    }

    public void GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public void Dispose() => _timer.Dispose();
}
