using System.Numerics;
using System.Runtime.CompilerServices;
using FastLog.Client.Cluster;
using FastLog.Client.Serialization;
using FastLog.Format;
using FastLog.Protocol;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Producer;

/// <summary>
/// Produces records to Kafka-compatible brokers: batches them per partition (<c>linger.ms</c>, <c>batch.size</c>),
/// compresses, and sends one request per broker carrying every ready partition, pipelined. Idempotent by default,
/// so retries neither lose, duplicate nor reorder records. Thread-safe: any number of threads may produce at once.
/// </summary>
/// <remarks>
/// <para>Hot path: the key and value are serialized into per-thread scratch space, the partition is chosen (murmur2
/// of the key as the Java client does, sticky for key-less records), and the record is encoded straight into the
/// partition's pooled batch under that partition's lock. Nothing is allocated per record, including the
/// <see cref="ValueTask{TResult}"/> a caller awaits (its source is a pooled slot of the batch), provided each
/// returned task is awaited once.</para>
/// <para>A record that cannot be appended at once (topic metadata not known yet, <c>buffer.memory</c> exhausted)
/// is copied and queued in arrival order; later records queue behind it, so per-partition order holds. The queue
/// holds at most <c>buffer.memory</c> bytes more; a record beyond that fails at once, as it would after
/// <c>max.block.ms</c>.</para>
/// <para>Delivery continuations and handlers run on the thread that handles the broker's answer. Keep them short;
/// a continuation that blocks delays the deliveries after it.</para>
/// </remarks>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TValue">Value type.</typeparam>
public sealed partial class KafkaProducer<TKey, TValue> : IAsyncDisposable
{
    /// <summary>Lets the partitioner choose the partition.</summary>
    private const int AnyPartition = -1;

    private readonly ProducerOptions _options;
    private readonly ISerializer<TKey> _keySerializer;
    private readonly ISerializer<TValue> _valueSerializer;
    private readonly IRawBytesSerializer<TKey>? _rawKey;
    private readonly IRawBytesSerializer<TValue>? _rawValue;
    private readonly ClusterConnections _cluster;
    private readonly RecordAccumulator _accumulator;
    private readonly SenderSignal _signal;
    private readonly Sender _sender;
    private readonly StickyPartitioner _sticky = new();
    private readonly ILogger _logger;
    private int _disposed;

    /// <summary>Creates a producer. Nothing connects until the first record is produced.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="keySerializer">Key serializer; null picks the built-in one for byte[], ReadOnlyMemory&lt;byte&gt;, string, int, long or <see cref="Null"/>.</param>
    /// <param name="valueSerializer">Value serializer; null picks a built-in one as for keys.</param>
    /// <exception cref="ArgumentException">A setting is invalid, or no serializer was given for a type without a built-in one.</exception>
    public KafkaProducer(ProducerOptions options, ISerializer<TKey>? keySerializer = null, ISerializer<TValue>? valueSerializer = null)
        : this(options, keySerializer, valueSerializer, startBackground: true)
    {
    }

    /// <summary>
    /// With <paramref name="startBackground"/> false neither the sender nor the pending queue runs: the append path
    /// alone, for the allocation benchmark, which drains batches itself through <see cref="Accumulator"/>.
    /// </summary>
    internal KafkaProducer(ProducerOptions options, ISerializer<TKey>? keySerializer, ISerializer<TValue>? valueSerializer, bool startBackground)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _keySerializer = keySerializer ?? Serializers.Default<TKey>()
            ?? throw new ArgumentException($"No built-in serializer for key type {typeof(TKey).Name}; pass one.", nameof(keySerializer));
        _valueSerializer = valueSerializer ?? Serializers.Default<TValue>()
            ?? throw new ArgumentException($"No built-in serializer for value type {typeof(TValue).Name}; pass one.", nameof(valueSerializer));
        _rawKey = _keySerializer as IRawBytesSerializer<TKey>;
        _rawValue = _valueSerializer as IRawBytesSerializer<TValue>;
        _logger = options.LoggerFactory.CreateLogger("FastLog.Client.Producer");
        _cluster = new ClusterConnections(options, _logger);
        _signal = new SenderSignal(PreciseTimeProvider.Instance);
        _accumulator = new RecordAccumulator(options.BatchSize, options.BufferMemory, options.Compression, _signal);
        _sender = new Sender(options, _accumulator, _cluster, _signal, _logger);
        _pendingLimitBytes = options.BufferMemory;
        if (startBackground)
        {
            _sender.Start();
            _pendingLoop = Task.Run(RunPendingAsync);
        }
        else
        {
            _pendingLoop = Task.CompletedTask;
        }
    }

    /// <summary>The batches being filled (for the allocation benchmark).</summary>
    internal RecordAccumulator Accumulator => _accumulator;

    /// <summary>The settings this producer runs with.</summary>
    public ProducerOptions Options => _options;

    /// <summary>
    /// Produces a record to <paramref name="topic"/>, partitioned by its key, and completes when it is acknowledged as
    /// <c>acks</c> requires. Await the returned task exactly once.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The record; it is serialized before this method returns and may be reused afterwards.</param>
    /// <param name="cancellationToken">Stops waiting for metadata or buffer space; a record already accepted is still delivered.</param>
    /// <returns>Where the record was written.</returns>
    /// <exception cref="KafkaException">
    /// Delivery failed: the error code says why (e.g. <see cref="ErrorCode.MessageTooLarge"/> for a record larger than
    /// <c>max.request.size</c>, <see cref="ErrorCode.RequestTimedOut"/> when <c>max.block.ms</c> or
    /// <c>delivery.timeout.ms</c> ran out), and the message what to do.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the record was accepted.</exception>
    public ValueTask<DeliveryResult> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, AnyPartition, message, cancellationToken);

    /// <summary>Produces a record to one given partition of <paramref name="topic"/>; otherwise as <see cref="ProduceAsync(string, Message{TKey, TValue}, CancellationToken)"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition; a partition the topic does not have fails with <see cref="ErrorCode.UnknownTopicOrPartition"/>.</param>
    /// <param name="message">The record.</param>
    /// <param name="cancellationToken">Stops waiting for metadata or buffer space.</param>
    /// <returns>Where the record was written.</returns>
    /// <exception cref="KafkaException">Delivery failed; see the error code.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the record was accepted.</exception>
    public ValueTask<DeliveryResult> ProduceAsync(string topic, int partition, Message<TKey, TValue> message, CancellationToken cancellationToken = default)
    {
        CheckArguments(topic, partition, message);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<DeliveryResult>(cancellationToken);
        }

        var delivery = new DeliveryTarget(ProducerBatch.AwaitMarker);
        Outcome outcome = ProduceCore(topic, partition, message, ref delivery, mayBlock: false, out KafkaException? failure, out PendingRecord? pending);
        return outcome switch
        {
            Outcome.Appended => new ValueTask<DeliveryResult>(delivery.Source!, delivery.Token),
            Outcome.Failed => ValueTask.FromException<DeliveryResult>(failure!),
            _ => AwaitPendingAsync(pending!, cancellationToken),
        };
    }

    /// <summary>
    /// Produces a record without waiting for its delivery; <paramref name="deliveryHandler"/> (if any) is called with
    /// the outcome. Like the Java client's <c>send</c>, this blocks up to <c>max.block.ms</c> when the topic's
    /// metadata is not known yet or <c>buffer.memory</c> is full.
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="message">The record; serialized before this method returns.</param>
    /// <param name="deliveryHandler">Called once with the outcome, on the thread handling the broker's answer.</param>
    /// <exception cref="KafkaException">The record was not accepted: too large, or no metadata or buffer space within <c>max.block.ms</c>.</exception>
    public void Produce(string topic, Message<TKey, TValue> message, Action<DeliveryReport>? deliveryHandler = null) =>
        Produce(topic, AnyPartition, message, deliveryHandler);

    /// <summary>Produces a record to one given partition without waiting for its delivery; otherwise as <see cref="Produce(string, Message{TKey, TValue}, Action{DeliveryReport})"/>.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="message">The record.</param>
    /// <param name="deliveryHandler">Called once with the outcome.</param>
    /// <exception cref="KafkaException">The record was not accepted.</exception>
    public void Produce(string topic, int partition, Message<TKey, TValue> message, Action<DeliveryReport>? deliveryHandler = null)
    {
        CheckArguments(topic, partition, message);
        var delivery = new DeliveryTarget(deliveryHandler);
        Outcome outcome = ProduceCore(topic, partition, message, ref delivery, mayBlock: true, out KafkaException? failure, out PendingRecord? pending);
        if (outcome == Outcome.Failed)
        {
            throw failure!;
        }

        if (outcome == Outcome.Pending)
        {
            // Block like Java's send(): bounded by max.block.ms, and it keeps a fire-and-forget loop from outrunning the buffer.
            pending!.Accepted.Task.GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Sends every record produced so far without waiting for <c>linger.ms</c>, and completes when all of them (and
    /// any produced meanwhile) are acknowledged or have failed.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; records keep going.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        _sender.BeginFlush();
        try
        {
            await _accumulator.WhenAllCompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sender.EndFlush();
        }
    }

    /// <summary>
    /// Stops accepting records, delivers what is buffered (each batch within <c>delivery.timeout.ms</c>), then closes
    /// the connections. Produce calls must not race with it: finish producing first.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopPendingAsync().ConfigureAwait(false);
        await _sender.DisposeAsync().ConfigureAwait(false);
        await _cluster.DisposeAsync().ConfigureAwait(false);
        _signal.Dispose();
    }

    private enum Outcome
    {
        Appended,
        Failed,
        Pending,
    }

    private void CheckArguments(string topic, int partition, Message<TKey, TValue> message)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(partition, AnyPartition);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
    }

    /// <summary>Serializes, then appends at once when possible; otherwise copies the record into the pending queue.</summary>
    private Outcome ProduceCore(
        string topic,
        int partition,
        Message<TKey, TValue> message,
        ref DeliveryTarget delivery,
        bool mayBlock,
        out KafkaException? failure,
        out PendingRecord? pending)
    {
        pending = null;
        SerializationScratch scratch = SerializationScratch.Current;
        long timestampMs = message.Timestamp?.ToUnixTimeMilliseconds() ?? NowMs();

        bool keyIsNull = message.Key is null;
        ReadOnlySpan<byte> key = default;
        int keyEnd = 0;
        if (!keyIsNull)
        {
            if (_rawKey is not null)
            {
                key = _rawKey.GetBytes(message.Key);
            }
            else
            {
                _keySerializer.Serialize(message.Key, scratch, new SerializationContext(topic, IsKey: true));
                keyEnd = scratch.WrittenCount;
            }
        }

        bool valueIsNull = message.Value is null;
        ReadOnlySpan<byte> value = default;
        if (!valueIsNull)
        {
            if (_rawValue is not null)
            {
                value = _rawValue.GetBytes(message.Value);
            }
            else
            {
                _valueSerializer.Serialize(message.Value, scratch, new SerializationContext(topic, IsKey: false));
                value = scratch.Slice(keyEnd, scratch.WrittenCount - keyEnd);
            }
        }

        if (!keyIsNull && _rawKey is null)
        {
            // Only now: the value's serializer may have grown (moved) the scratch array.
            key = scratch.Slice(0, keyEnd);
        }

        var record = new RecordParts(timestampMs, key, keyIsNull, value, valueIsNull, message.Headers);
        failure = CheckSize(record);
        if (failure is not null)
        {
            return Outcome.Failed;
        }

        if (Volatile.Read(ref _pendingCount) == 0)
        {
            AppendStatus status = TryAppend(topic, partition, record, ref delivery);
            if (status == AppendStatus.NeedMemory && mayBlock)
            {
                status = AppendBlocking(topic, partition, record, ref delivery);
            }

            if (status == AppendStatus.Appended)
            {
                return Outcome.Appended;
            }
        }

        return Enqueue(topic, partition, record, delivery.Handler, out pending, out failure) ? Outcome.Pending : Outcome.Failed;
    }

    /// <summary>
    /// Appends to the chosen partition's batch. Returns <see cref="AppendStatus.NeedMemory"/> when buffer memory is
    /// short and <see cref="AppendStatus.NeedMetadata"/> when the topic or partition is not known yet.
    /// </summary>
    private AppendStatus TryAppend(string topic, int partition, scoped in RecordParts record, ref DeliveryTarget delivery)
    {
        if (!_accumulator.TryGetTopic(topic, out TopicQueues queues) || partition >= queues.PartitionCount)
        {
            return AppendStatus.NeedMetadata;
        }

        int count = queues.PartitionCount;
        bool sticky = false;
        if (partition == AnyPartition)
        {
            partition = ChoosePartition(topic, count, record, out sticky);
        }

        AppendStatus status = _accumulator.Append(queues.Partitions[partition], record, sticky, delivery.Handler, out delivery.Source, out delivery.Token);
        if (status == AppendStatus.NeedsNewBatch)
        {
            // KIP-480: a key-less record about to open a batch first moves the sticky partition on.
            partition = _sticky.OnNewBatch(topic, count, partition);
            status = _accumulator.Append(queues.Partitions[partition], record, abortOnNewBatch: false, delivery.Handler, out delivery.Source, out delivery.Token);
        }

        return status;
    }

    /// <summary>
    /// Waits on the calling thread for buffer memory, then appends (the synchronous <c>Produce</c>'s back-pressure, as
    /// Java's <c>send</c> blocks). The record stays in this thread's scratch space meanwhile, so nothing is copied.
    /// </summary>
    /// <exception cref="KafkaException">No memory within <c>max.block.ms</c>.</exception>
    private AppendStatus AppendBlocking(string topic, int partition, scoped in RecordParts record, ref DeliveryTarget delivery)
    {
        long deadline = MonotonicClock.NowMs + (long)_options.MaxBlock.TotalMilliseconds;
        int needed = (int)BitOperations.RoundUpToPowerOf2((uint)(RecordBatchLayout.HeaderSize + record.MaxEncodedSize));
        AppendStatus status;
        do
        {
            _accumulator.Memory.WaitAsync(needed, deadline, _options.MaxBlock, CancellationToken.None).GetAwaiter().GetResult();
            status = TryAppend(topic, partition, record, ref delivery);
        }
        while (status == AppendStatus.NeedMemory);
        return status;
    }

    private int ChoosePartition(string topic, int count, scoped in RecordParts record, out bool sticky)
    {
        sticky = false;
        switch (_options.Partitioner)
        {
            case PartitionerType.Murmur2:
                return Murmur2Partitioner.Partition(record.KeyIsNull ? [] : record.Key, count);
            case PartitionerType.Murmur2Random when !record.KeyIsNull:
                return Murmur2Partitioner.Partition(record.Key, count);
            default:
                sticky = true;
                return _sticky.Partition(topic, count);
        }
    }

    private KafkaException? CheckSize(scoped in RecordParts record)
    {
        long size = (long)RecordBatchLayout.HeaderSize + record.MaxEncodedSize;
        if (size > _options.MaxRequestSize)
        {
            return new KafkaException(
                ErrorCode.MessageTooLarge,
                $"The record is {size} bytes when serialized, more than max.request.size ({_options.MaxRequestSize} bytes). " +
                "Send a smaller record, or raise max.request.size (and the broker's message.max.bytes).");
        }

        if (size > _options.BufferMemory)
        {
            return new KafkaException(
                ErrorCode.MessageTooLarge,
                $"The record is {size} bytes when serialized, more than buffer.memory ({_options.BufferMemory} bytes). Raise buffer.memory.");
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long NowMs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>Who hears about a record's delivery, and (for <c>ProduceAsync</c>) the pooled source to await.</summary>
    private struct DeliveryTarget(object? handler)
    {
        public object? Handler = handler;
        public DeliverySource? Source;
        public short Token;
    }
}
