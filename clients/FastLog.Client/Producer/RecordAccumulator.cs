using System.Collections.Concurrent;
using System.Numerics;
using FastLog.Format;

namespace FastLog.Client.Producer;

/// <summary>
/// Collects records into per-partition batches (the Java client's RecordAccumulator): producing threads append
/// under the partition's own lock, the sender drains closed batches. Also owns what batches need around them: the
/// <c>buffer.memory</c> budget, the batch pool, and the count of unfinished work that <c>FlushAsync</c> waits on.
/// </summary>
/// <remarks>
/// The append path takes no lock but the partition's, allocates nothing once batches and buffers are pooled, and
/// wakes the sender only when a batch is opened (so it can time the linger) or closed full.
/// </remarks>
internal sealed class RecordAccumulator
{
    private readonly ConcurrentDictionary<string, TopicQueues> _topics = new(StringComparer.Ordinal);
    private readonly Lock _topicsGate = new();
    private readonly Lock _flushGate = new();
    private readonly List<TaskCompletionSource> _flushWaiters = [];
    private readonly BatchPool _pool;
    private readonly int _batchSizeBytes;
    private readonly int _maxBufferBytes;
    private readonly SenderSignal _signal;
    private readonly CompressionType _compression;
    private PartitionQueue[] _all = [];
    private long _incomplete;

    public RecordAccumulator(int batchSizeBytes, long bufferMemoryBytes, CompressionType compression, SenderSignal signal)
    {
        _compression = compression;
        _batchSizeBytes = batchSizeBytes;
        _maxBufferBytes = (int)Math.Min(1 << 30, BitOperations.RoundUpToPowerOf2((ulong)batchSizeBytes + RecordBatchLayout.HeaderSize));
        Memory = new BufferPool(bufferMemoryBytes);
        _pool = new BatchPool(Memory);
        _signal = signal;
    }

    public BufferPool Memory { get; }

    /// <summary>Every partition queue, for the sender to scan (a snapshot; replaced when topics are added).</summary>
    public PartitionQueue[] Partitions => Volatile.Read(ref _all);

    /// <summary>Open, queued and in-flight batches plus records still waiting for metadata or memory.</summary>
    public long IncompleteCount => Interlocked.Read(ref _incomplete);

    public bool TryGetTopic(string topic, out TopicQueues queues) => _topics.TryGetValue(topic, out queues!);

    /// <summary>Creates or grows the queues of <paramref name="topic"/> to <paramref name="partitionCount"/> partitions.</summary>
    public TopicQueues EnsureTopic(string topic, int partitionCount)
    {
        lock (_topicsGate)
        {
            _topics.TryGetValue(topic, out TopicQueues? existing);
            if (existing is not null && existing.PartitionCount >= partitionCount)
            {
                return existing;
            }

            var partitions = new PartitionQueue[partitionCount];
            int kept = existing?.PartitionCount ?? 0;
            for (int i = 0; i < partitionCount; i++)
            {
                partitions[i] = i < kept ? existing!.Partitions[i] : new PartitionQueue(topic, i);
            }

            var queues = new TopicQueues(topic, partitions);
            _topics[topic] = queues;
            var all = new List<PartitionQueue>(_all.Length + partitionCount - kept);
            all.AddRange(_all);
            for (int i = kept; i < partitionCount; i++)
            {
                all.Add(partitions[i]);
            }

            Volatile.Write(ref _all, [.. all]);
            return queues;
        }
    }

    /// <summary>
    /// Appends a record to <paramref name="queue"/>'s open batch, closing it and opening another when it is full.
    /// With <paramref name="abortOnNewBatch"/> the caller is told instead of a batch being opened (sticky
    /// partitioning then moves on to another partition first, as KIP-480 does).
    /// </summary>
    public AppendStatus Append(
        PartitionQueue queue,
        scoped in RecordParts record,
        bool abortOnNewBatch,
        object? handler,
        out DeliverySource? source,
        out short token)
    {
        AppendStatus status;
        bool wakeSender = false;
        ProducerBatch? full = null;
        lock (queue.Gate)
        {
            ProducerBatch? open = queue.Open;
            if (open is not null)
            {
                status = open.TryAppend(record, _batchSizeBytes, Memory, handler, out source, out token);
                if (status == AppendStatus.Appended)
                {
                    return status;
                }

                if (_compression != CompressionType.None)
                {
                    full = open;
                    full.IsCompressing = true;
                }

                queue.CloseOpen();
                wakeSender = true;
            }

            if (abortOnNewBatch)
            {
                status = AppendStatus.NeedsNewBatch;
                source = null;
                token = 0;
            }
            else
            {
                status = OpenBatch(queue, record, handler, out source, out token);
                wakeSender |= status == AppendStatus.Appended;
            }
        }

        if (full is not null)
        {
            // Compress the full batch here, outside the lock: producing threads share the codec work the single
            // sender would otherwise do alone (Java compresses on the appending thread too). It keeps its place in
            // the queue meanwhile, so order holds; batches closed by linger are compressed by the sender.
            full.Compress(_compression);
            full.IsCompressing = false;
        }

        if (wakeSender)
        {
            _signal.Set();
        }

        return status;
    }

    /// <summary>Counts work the producer has accepted and not finished (a batch, or a record waiting for metadata or memory).</summary>
    public void BeginWork() => Interlocked.Increment(ref _incomplete);

    /// <summary>Ends what <see cref="BeginWork"/> started; the last one wakes flushes.</summary>
    public void EndWork()
    {
        if (Interlocked.Decrement(ref _incomplete) != 0)
        {
            return;
        }

        lock (_flushGate)
        {
            foreach (TaskCompletionSource waiter in _flushWaiters)
            {
                waiter.TrySetResult();
            }

            _flushWaiters.Clear();
        }
    }

    /// <summary>Completes when nothing is incomplete (librdkafka's flush: waits for the queue to drain, whatever is added meanwhile).</summary>
    public Task WhenAllCompleteAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_flushGate)
        {
            if (Interlocked.Read(ref _incomplete) == 0)
            {
                return Task.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushWaiters.Add(waiter);
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    private AppendStatus OpenBatch(PartitionQueue queue, scoped in RecordParts record, object? handler, out DeliverySource? source, out short token)
    {
        // Start at the size the partition's last batch reached; fall back to just what this record needs when memory is short.
        int needed = (int)Math.Min(1 << 30, BitOperations.RoundUpToPowerOf2((ulong)(RecordBatchLayout.HeaderSize + record.MaxEncodedSize)));
        int size = Math.Max(needed, Math.Min(queue.NextBufferBytes, _maxBufferBytes));
        if (!Memory.TryReserve(size))
        {
            size = needed;
            if (!Memory.TryReserve(size))
            {
                source = null;
                token = 0;
                return AppendStatus.NeedMemory;
            }
        }

        ProducerBatch batch = _pool.Rent();
        batch.Start(queue, queue.NextOrdinal++, Memory.Rent(size), size, MonotonicClock.NowMs);
        AppendStatus status = batch.TryAppend(record, _batchSizeBytes, Memory, handler, out source, out token);
        if (status != AppendStatus.Appended)
        {
            throw new InvalidOperationException($"A new batch of {size} bytes refused a record of at most {record.MaxEncodedSize} bytes.");
        }

        queue.Open = batch;
        queue.UpdateQueued();
        BeginWork();
        return status;
    }
}
