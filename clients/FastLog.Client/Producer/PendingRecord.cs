namespace FastLog.Client.Producer;

/// <summary>
/// A record that could not go straight into a batch (its topic's metadata is not known yet, or buffer memory is
/// full), copied out of the caller's objects so the call can return, and queued in arrival order until it can be
/// appended or its <c>max.block.ms</c> runs out.
/// </summary>
internal sealed class PendingRecord
{
    private int _cancelled;

    public PendingRecord(
        string topic,
        int partition,
        long timestampMs,
        byte[]? key,
        byte[]? value,
        Header[]? headers,
        object? handler,
        long deadlineTicks,
        int sizeBytes)
    {
        Topic = topic;
        Partition = partition;
        TimestampMs = timestampMs;
        Key = key;
        Value = value;
        Headers = headers;
        Handler = handler;
        DeadlineTicks = deadlineTicks;
        SizeBytes = sizeBytes;
    }

    public string Topic { get; }

    /// <summary>The partition asked for, or -1 to let the partitioner choose once the topic is known.</summary>
    public int Partition { get; }

    public long TimestampMs { get; }

    public byte[]? Key { get; }

    public byte[]? Value { get; }

    public Header[]? Headers { get; }

    /// <summary>The delivery handler the batch slot gets (a user handler, a completion for <c>ProduceAsync</c>, or null).</summary>
    public object? Handler { get; }

    public long DeadlineTicks { get; }

    /// <summary>An upper bound of the encoded record, counted against the queue's byte limit.</summary>
    public int SizeBytes { get; }

    /// <summary>Completes when the record is in a batch (or fails with why it never got there).</summary>
    public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsCancelled => Volatile.Read(ref _cancelled) != 0;

    public void Cancel(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _cancelled, 1);
        Accepted.TrySetCanceled(cancellationToken);
    }
}
