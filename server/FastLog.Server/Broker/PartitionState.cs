using FastLog.Engine.Log;

namespace FastLog.Server.Broker;

/// <summary>
/// A partition this broker leads: its log, its leader epoch, and the fetches waiting for new data
/// (long polls). Appends wake the waiters; a waiter re-reads the logs it cares about.
/// Also counts what clients produced to it (records and bytes of appended batches, retried
/// duplicates not counted), which the metrics endpoint sums per topic at scrape time.
/// </summary>
internal sealed class PartitionState
{
    private readonly object _waitersLock = new();
    private List<TaskCompletionSource>? _waiters;
    private long _messagesIn;
    private long _bytesIn;

    public PartitionState(TopicPartition topicPartition, PartitionLog log, int leaderEpoch)
    {
        TopicPartition = topicPartition;
        Log = log;
        LeaderEpoch = leaderEpoch;
        log.SetHighWatermarkListener(_ => WakeWaiters());
    }

    public TopicPartition TopicPartition { get; }

    public PartitionLog Log { get; }

    public int LeaderEpoch { get; set; }

    /// <summary>Records appended by Produce requests since this broker opened the partition.</summary>
    public long MessagesIn => Volatile.Read(ref _messagesIn);

    /// <summary>Record batch bytes appended by Produce requests since this broker opened the partition.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Counts one produced batch; two interlocked adds, so concurrent producers need no lock.</summary>
    public void CountProduced(long records, int bytes)
    {
        Interlocked.Add(ref _messagesIn, records);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    /// <summary>Registers a long-poll waiter completed by the next advance of the high watermark (or by the caller on timeout).</summary>
    public void AddWaiter(TaskCompletionSource waiter)
    {
        lock (_waitersLock)
        {
            (_waiters ??= []).Add(waiter);
        }
    }

    public void RemoveWaiter(TaskCompletionSource waiter)
    {
        lock (_waitersLock)
        {
            _waiters?.Remove(waiter);
        }
    }

    private void WakeWaiters()
    {
        // Cheap when nobody waits: one volatile read, no lock (the common case on the produce path).
        if (Volatile.Read(ref _waiters) is not { Count: > 0 })
        {
            return;
        }

        List<TaskCompletionSource>? woken;
        lock (_waitersLock)
        {
            woken = _waiters;
            _waiters = null;
        }

        // Another append may have taken the list between the check above and the lock.
        if (woken is null)
        {
            return;
        }

        foreach (var waiter in woken)
        {
            waiter.TrySetResult();
        }
    }
}
