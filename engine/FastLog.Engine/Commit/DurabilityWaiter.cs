using System.Threading.Tasks.Sources;

namespace FastLog.Engine.Commit;

/// <summary>
/// One pending <see cref="CommitTracker.WaitForDurableAsync"/>: a reusable <see cref="IValueTaskSource"/>
/// that lives in its tracker's pool between uses, so the slow path allocates nothing once warm.
/// </summary>
/// <remarks>
/// Life cycle: rented and queued under the tracker lock; completed exactly once, by whichever of the
/// flusher (success or failure), the cancellation callback, or close removes it from the queue under
/// that lock; reset and returned to the pool in <see cref="GetResult"/>, i.e. after the awaiter has
/// observed the result. Continuations always run asynchronously, so completing a waiter on the
/// flusher thread (even inside the tracker lock) never runs user code there.
/// Pool safety with cancellation: <see cref="GetResult"/> disposes the cancellation registration
/// before the reset, and Dispose waits for a callback already running; so a late callback can never
/// act on the waiter's next use.
/// </remarks>
internal sealed class DurabilityWaiter : IValueTaskSource
{
    private static readonly Action<object?> CancelCallback = static state => ((DurabilityWaiter)state!).OnCanceled();

    private readonly CommitTracker _owner;
    private ManualResetValueTaskSourceCore<bool> _core;
    private CancellationTokenRegistration _cancellationRegistration;
    private CancellationToken _cancellationToken;

    internal DurabilityWaiter(CommitTracker owner)
    {
        _owner = owner;
        _core.RunContinuationsAsynchronously = true;
    }

    /// <summary>True while the waiter sits in its tracker's queue. Guarded by the tracker lock.</summary>
    internal bool IsQueued { get; set; }

    internal short Version => _core.Version;

    /// <summary>Called after the waiter was queued; the callback may run at once if the token is already cancelled.</summary>
    internal void RegisterCancellation(CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        _cancellationRegistration = cancellationToken.UnsafeRegister(CancelCallback, this);
    }

    internal void SetDurable() => _core.SetResult(true);

    internal void SetException(Exception error) => _core.SetException(error);

    internal void SetCanceled() => _core.SetException(new OperationCanceledException(_cancellationToken));

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public void GetResult(short token)
    {
        // Only a legitimate, completed consumption recycles: a stale token or a premature GetResult must
        // not reset a waiter that is still queued or already serving someone else.
        bool recycle = token == _core.Version && _core.GetStatus(token) != ValueTaskSourceStatus.Pending;
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            if (recycle)
            {
                Recycle();
            }
        }
    }

    private void OnCanceled() => _owner.TryCancel(this);

    private void Recycle()
    {
        _cancellationRegistration.Dispose();
        _cancellationRegistration = default;
        _cancellationToken = default;
        _core.Reset();
        _owner.ReturnWaiter(this);
    }
}
