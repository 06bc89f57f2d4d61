namespace FastLog.Client.Consumer;

/// <summary>
/// An auto-reset wake-up for one background loop: <see cref="Set"/> wakes the current (or next) wait. Sets that
/// arrive while nobody waits coalesce into one wake-up, so a waiter must re-check its conditions after waking —
/// the loops here always do. Waits are bounded and cancellable; nothing waits forever.
/// </summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _current = NewSource();

    public void Set() => Volatile.Read(ref _current).TrySetResult();

    /// <summary>Waits until set, <paramref name="timeout"/> passes or <paramref name="cancellationToken"/> fires.</summary>
    /// <returns>True when woken by <see cref="Set"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource source = Volatile.Read(ref _current);
        if (!source.Task.IsCompleted)
        {
            try
            {
                await source.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        // Consume the wake-up: later Sets complete a fresh source.
        Interlocked.CompareExchange(ref _current, NewSource(), source);
        return true;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
