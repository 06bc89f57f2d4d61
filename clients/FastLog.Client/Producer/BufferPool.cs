using FastLog.Protocol;

namespace FastLog.Client.Producer;

/// <summary>
/// The <c>buffer.memory</c> budget and the arrays batches are built in (the Java client's BufferPool). Batches
/// reserve budget when they take or grow a buffer and release it when they complete; a producer finding the budget
/// spent waits (up to <c>max.block.ms</c>) for releases. Reserving is one compare-and-swap, so the budget adds no lock
/// to the append path; only waiters take one.
/// </summary>
/// <remarks>
/// The arrays themselves are kept here too, in power-of-two size classes, rather than in the shared array pool: a
/// batch buffer is taken on a producing thread and given back on whichever thread handled the broker's answer, and
/// the shared pool's per-thread and per-core caches miss often enough under that pattern (and are trimmed on every
/// gen-2 collection) that megabyte buffers were being allocated afresh. Taking and returning happen once per batch,
/// so one short lock is cheap. Free arrays are kept up to the budget's size.
/// </remarks>
internal sealed class BufferPool
{
    private readonly Stack<byte[]>?[] _free = new Stack<byte[]>?[32];
    private readonly Lock _freeGate = new();
    private long _freeBytes;

    private readonly long _totalBytes;
    private readonly Lock _gate = new();
    private readonly List<Waiter> _waiters = [];
    private long _availableBytes;
    private int _waiterCount;

    public BufferPool(long totalBytes)
    {
        _totalBytes = totalBytes;
        _availableBytes = totalBytes;
    }

    public long AvailableBytes => Volatile.Read(ref _availableBytes);

    /// <summary>True while someone waits for memory: the sender then sends batches without waiting for linger.</summary>
    public bool IsExhausted => Volatile.Read(ref _waiterCount) > 0;

    /// <summary>An array of exactly <paramref name="powerOfTwoBytes"/> bytes (a power of two), reused when one is free.</summary>
    public byte[] Rent(int powerOfTwoBytes)
    {
        int sizeClass = System.Numerics.BitOperations.Log2((uint)powerOfTwoBytes);
        lock (_freeGate)
        {
            if (_free[sizeClass] is { Count: > 0 } stack)
            {
                _freeBytes -= powerOfTwoBytes;
                return stack.Pop();
            }
        }

        return GC.AllocateUninitializedArray<byte>(powerOfTwoBytes);
    }

    /// <summary>Keeps <paramref name="array"/> for reuse while the free arrays stay within the budget's size.</summary>
    public void Return(byte[] array)
    {
        if (array.Length == 0 || !System.Numerics.BitOperations.IsPow2(array.Length))
        {
            return;
        }

        int sizeClass = System.Numerics.BitOperations.Log2((uint)array.Length);
        lock (_freeGate)
        {
            if (_freeBytes + array.Length <= _totalBytes)
            {
                (_free[sizeClass] ??= new Stack<byte[]>()).Push(array);
                _freeBytes += array.Length;
            }
        }
    }

    /// <summary>Takes <paramref name="bytes"/> from the budget if that many are available.</summary>
    public bool TryReserve(int bytes)
    {
        long available = Volatile.Read(ref _availableBytes);
        while (true)
        {
            if (available < bytes)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _availableBytes, available - bytes, available);
            if (seen == available)
            {
                return true;
            }

            available = seen;
        }
    }

    /// <summary>Gives <paramref name="bytes"/> back and wakes waiters that can now proceed.</summary>
    public void Release(int bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        long available = Interlocked.Add(ref _availableBytes, bytes);
        if (Volatile.Read(ref _waiterCount) == 0)
        {
            return;
        }

        lock (_gate)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Bytes <= available)
                {
                    _waiters[i].Completion.TrySetResult();
                    _waiters.RemoveAt(i);
                    Interlocked.Decrement(ref _waiterCount);
                }
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="bytes"/> are available (not reserved: the caller tries again, and may have to wait
    /// again if others were faster).
    /// </summary>
    /// <exception cref="KafkaException">Not available before <paramref name="deadlineTicks"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task WaitAsync(int bytes, long deadlineTicks, TimeSpan maxBlock, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate)
        {
            // Announce the waiter before looking at the budget: a release either sees the count or its bytes are seen here.
            Interlocked.Increment(ref _waiterCount);
            if (Volatile.Read(ref _availableBytes) >= bytes)
            {
                Interlocked.Decrement(ref _waiterCount);
                return;
            }

            _waiters.Add(waiter);
        }

        long remaining = deadlineTicks - MonotonicClock.NowMs;
        try
        {
            await waiter.Completion.Task.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(remaining, 0)), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new KafkaException(
                ErrorCode.RequestTimedOut,
                $"The producer's buffer.memory ({_totalBytes} bytes) stayed full for max.block.ms ({maxBlock.TotalMilliseconds:0} ms): " +
                "records are produced faster than the brokers acknowledge them. Await deliveries before producing more, or raise buffer.memory or max.block.ms.");
        }
        finally
        {
            lock (_gate)
            {
                if (_waiters.Remove(waiter))
                {
                    Interlocked.Decrement(ref _waiterCount);
                }
            }
        }
    }

    private sealed record Waiter(int Bytes, TaskCompletionSource Completion);
}
