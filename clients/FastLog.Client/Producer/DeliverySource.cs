using System.Threading.Tasks.Sources;

namespace FastLog.Client.Producer;

/// <summary>
/// What a <c>ProduceAsync</c> caller awaits: a reusable <see cref="IValueTaskSource{TResult}"/> owned by a slot of a
/// pooled <see cref="ProducerBatch"/>, so awaiting a delivery allocates nothing. Consuming the result releases the
/// batch's hold on it; the batch (and this source) is reused once every source of the batch has been consumed, which
/// is why a returned <see cref="ValueTask{TResult}"/> must be awaited exactly once.
/// </summary>
/// <remarks>
/// Continuations run synchronously on the thread that completes the batch (the one handling the broker's answer),
/// as the Java client runs callbacks on its I/O thread: queueing each to the thread pool would cost an allocation
/// per record.
/// </remarks>
internal sealed class DeliverySource : IValueTaskSource<DeliveryResult>
{
    private readonly ProducerBatch _batch;
    private ManualResetValueTaskSourceCore<DeliveryResult> _core;

    public DeliverySource(ProducerBatch batch)
    {
        _batch = batch;
    }

    /// <summary>Readies the source for a new record and returns the token of its <see cref="ValueTask{TResult}"/>.</summary>
    public short Prepare()
    {
        _core.Reset();
        return _core.Version;
    }

    public void SetResult(DeliveryResult result) => _core.SetResult(result);

    public void SetException(Exception error) => _core.SetException(error);

    public DeliveryResult GetResult(short token)
    {
        if (token != _core.Version || _core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            // Misuse (awaited twice, or read before completion): let the core throw, and keep the batch's count intact.
            return _core.GetResult(token);
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _batch.ReleaseReference();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
