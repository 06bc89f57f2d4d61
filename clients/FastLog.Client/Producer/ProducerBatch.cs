using System.Buffers.Binary;
using System.Numerics;
using FastLog.Format;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Producer;

/// <summary>
/// One RecordBatch v2 being filled for one partition, built in place in a pooled array: records are encoded from
/// byte 61 on as they are appended, and sealing writes the 61-byte header in front of them (or in front of their
/// compressed form) and the CRC-32C, so an uncompressed batch goes to the socket without ever being copied.
/// Each record has a slot holding what to tell when the batch completes: nothing, a delivery handler, or a
/// <see cref="DeliverySource"/> a <c>ProduceAsync</c> caller awaits.
/// </summary>
/// <remarks>
/// <para>Lifecycle: taken from <see cref="BatchPool"/> and started for a partition; appended to under that
/// partition's lock; moved to the ready queue; sealed and sent (maybe several times, always with the same producer id,
/// epoch and sequence unless the epoch is bumped); completed once; returned to the pool when its last awaited slot
/// has been read. Slots, sources and the compression buffer are kept across uses, so steady-state batching allocates
/// nothing.</para>
/// <para>Thread-safety: appends happen under the owning <see cref="PartitionQueue"/>'s lock; after the batch leaves
/// the open position only the sender (and then the one completing thread) touches it.</para>
/// </remarks>
internal sealed class ProducerBatch
{
    /// <summary>The first buffer of a partition's first batch: room for about 150 records of 100 bytes.</summary>
    internal const int MinBufferBytes = 16 * 1024;

    private readonly BatchPool _pool;
    private readonly BufferPool _buffers;
    private readonly RentedBufferWriter _compressed;
    private byte[] _buffer = [];
    private int _position;
    private Slot[] _slots = new Slot[64];
    private DeliverySource?[] _sources = new DeliverySource?[64];
    private int _references;
    private long _baseTimestamp;
    private long _maxTimestamp;
    private CompressionType _sealedCodec;
    private bool _compressedBuilt;
    private bool _sendUncompressed;
    private bool _compressing;

    public ProducerBatch(BatchPool pool, BufferPool buffers)
    {
        _pool = pool;
        _buffers = buffers;
        _compressed = new RentedBufferWriter(buffers);
    }

    /// <summary>The partition this batch is for.</summary>
    public PartitionQueue Queue { get; private set; } = null!;

    public int RecordCount { get; private set; }

    /// <summary>Position among the partition's batches (creation order); retries are put back by it.</summary>
    public long Ordinal { get; private set; }

    /// <summary>MonotonicClock.NowMs when the batch was started: linger and delivery timeout count from here.</summary>
    public long CreatedTicks { get; private set; }

    /// <summary>How often the batch has been sent.</summary>
    public int Attempts { get; set; }

    /// <summary>Not to be sent again before this tick (retry backoff).</summary>
    public long RetryAtTicks { get; set; }

    /// <summary>The sequence of the first record, or -1 while none is assigned (not idempotent, or not yet drained).</summary>
    public int BaseSequence { get; set; } = -1;

    public long ProducerId { get; set; } = -1;

    public short ProducerEpoch { get; set; } = -1;

    /// <summary>Buffer memory held for this batch, given back when it completes.</summary>
    public int ReservedBytes { get; private set; }

    /// <summary>Encoded bytes of the records (uncompressed), without the batch header.</summary>
    public int RecordsBytes => _position - RecordBatchLayout.HeaderSize;

    /// <summary>The size this batch is counted with against <c>max.request.size</c> before it is sealed.</summary>
    public int EstimatedSizeBytes => _compressedBuilt ? _compressed.WrittenCount : _position;

    /// <summary>The sequence of the last record.</summary>
    public int LastSequence => BaseSequence < 0 ? -1 : Sequences.Add(BaseSequence, RecordCount - 1);

    /// <summary>Starts an empty batch for <paramref name="queue"/> over <paramref name="buffer"/> (from the <see cref="BufferPool"/>), already counted against buffer memory.</summary>
    public void Start(PartitionQueue queue, long ordinal, byte[] buffer, int reservedBytes, long nowTicks)
    {
        Queue = queue;
        Ordinal = ordinal;
        _buffer = buffer;
        ReservedBytes = reservedBytes;
        _position = RecordBatchLayout.HeaderSize;
        CreatedTicks = nowTicks;
        _references = 1;
    }

    /// <summary>
    /// Appends a record when it fits: a non-empty batch takes no record that would take its records past
    /// <paramref name="batchSizeBytes"/>, and growing the buffer needs <paramref name="memory"/>.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="batchSizeBytes">The <c>batch.size</c> limit.</param>
    /// <param name="memory">Buffer memory to reserve growth from.</param>
    /// <param name="handler">Null, an <c>Action&lt;DeliveryReport&gt;</c>, or <see cref="AwaitMarker"/> to get a source.</param>
    /// <param name="source">The source to await when <paramref name="handler"/> is <see cref="AwaitMarker"/>.</param>
    /// <param name="token">The source's token.</param>
    public AppendStatus TryAppend(
        scoped in RecordParts record,
        int batchSizeBytes,
        BufferPool memory,
        object? handler,
        out DeliverySource? source,
        out short token)
    {
        source = null;
        token = 0;
        long timestampDelta = RecordCount == 0 ? 0 : record.TimestampMs - _baseTimestamp;
        int size = record.EncodedSize(timestampDelta, RecordCount);
        if (RecordCount > 0 && RecordsBytes + size > batchSizeBytes)
        {
            return AppendStatus.Full;
        }

        if (_buffer.Length - _position < size && !TryGrow(size, memory))
        {
            return RecordCount == 0 ? AppendStatus.NeedMemory : AppendStatus.Full;
        }

        record.Write(_buffer.AsSpan(_position), timestampDelta, RecordCount);
        _position += size;
        if (RecordCount == 0)
        {
            _baseTimestamp = record.TimestampMs;
            _maxTimestamp = record.TimestampMs;
        }
        else if (record.TimestampMs > _maxTimestamp)
        {
            _maxTimestamp = record.TimestampMs;
        }

        int index = RecordCount;
        if (index == _slots.Length)
        {
            Array.Resize(ref _slots, index * 2);
            Array.Resize(ref _sources, index * 2);
        }

        if (ReferenceEquals(handler, AwaitMarker))
        {
            source = _sources[index] ??= new DeliverySource(this);
            token = source.Prepare();
            handler = source;
            Interlocked.Increment(ref _references);
        }

        _slots[index] = new Slot(handler, record.TimestampMs);

        RecordCount = index + 1;
        return AppendStatus.Appended;
    }

    /// <summary>Stands in for "the caller awaits a <see cref="DeliverySource"/>" in <see cref="TryAppend"/>.</summary>
    public static readonly object AwaitMarker = new();

    /// <summary>
    /// The batch as it goes on the wire, with the current <see cref="ProducerId"/>, <see cref="ProducerEpoch"/> and
    /// <see cref="BaseSequence"/>. Compresses on the first call; later calls (retries) only rewrite the header and CRC.
    /// </summary>
    public ReadOnlyMemory<byte> Seal(CompressionType codec)
    {
        Compress(codec);
        Memory<byte> wire;
        if (_compressedBuilt)
        {
            wire = _compressed.WrittenMemory;
            _sealedCodec = codec;
        }
        else
        {
            wire = _buffer.AsMemory(0, _position);
            _sealedCodec = CompressionType.None;
        }

        WriteHeader(wire.Span);
        return wire;
    }

    /// <summary>
    /// True while a producing thread compresses this closed batch (see <see cref="RecordAccumulator"/>); the sender
    /// leaves it (and the partition's later batches) alone until then.
    /// </summary>
    public bool IsCompressing
    {
        get => Volatile.Read(ref _compressing);
        set => Volatile.Write(ref _compressing, value);
    }

    /// <summary>
    /// Compresses the records once (later calls do nothing), behind room for the header. A batch the codec does not
    /// shrink by at least 1/16 goes out uncompressed instead, as librdkafka does, and then the partition's next
    /// <see cref="PartitionQueue.IncompressibleSkipBatches"/> batches skip the attempt (incompressible payloads,
    /// such as encrypted or already compressed data, would otherwise cost a codec pass per batch for nothing).
    /// </summary>
    public void Compress(CompressionType codec)
    {
        if (_compressedBuilt || _sendUncompressed || codec == CompressionType.None)
        {
            return;
        }

        if (Queue.SkipCompression())
        {
            _sendUncompressed = true;
            return;
        }

        ReadOnlySpan<byte> records = _buffer.AsSpan(RecordBatchLayout.HeaderSize, RecordsBytes);

        // Room for incompressible input (every codec's worst case is a little over the input), so nothing is regrown.
        _compressed.Start(RecordBatchLayout.HeaderSize + RecordsBytes + (RecordsBytes / 64) + 1024);
        _compressed.GetSpan(RecordBatchLayout.HeaderSize);
        _compressed.Advance(RecordBatchLayout.HeaderSize);
        int compressedBytes = Compression.Compress((CompressionCodec)codec, records, _compressed);
        if (compressedBytes > RecordsBytes - (RecordsBytes / 16))
        {
            _compressed.Return();
            _sendUncompressed = true;
            Queue.OnIncompressible();
            return;
        }

        Queue.OnCompressible();
        _compressedBuilt = true;

        // The uncompressed records are not needed again; the reservation stays until completion.
        _buffers.Return(_buffer);
        _buffer = [];
    }

    /// <summary>
    /// Tells every record's waiter how the batch ended and gives the buffers back. <paramref name="baseOffset"/> is the
    /// first record's offset (-1 when unknown); <paramref name="logAppendTimeMs"/> is the broker's timestamp on a
    /// LogAppendTime topic (-1 otherwise).
    /// </summary>
    public void Complete(long baseOffset, long logAppendTimeMs, KafkaException? error, ILogger logger)
    {
        ReturnBuffers();
        string topic = Queue.Topic;
        int partition = Queue.Partition;
        for (int i = 0; i < RecordCount; i++)
        {
            Slot slot = _slots[i];
            _slots[i] = default;
            if (slot.Handler is null)
            {
                continue;
            }

            long offset = error is null && baseOffset >= 0 ? baseOffset + i : -1;
            long timestamp = logAppendTimeMs >= 0 ? logAppendTimeMs : slot.TimestampMs;
            var result = new DeliveryResult(topic, partition, offset, DateTimeOffset.FromUnixTimeMilliseconds(timestamp));
            if (slot.Handler is DeliverySource source)
            {
                if (error is null)
                {
                    source.SetResult(result);
                }
                else
                {
                    source.SetException(error);
                }
            }
            else if (slot.Handler is TaskCompletionSource<DeliveryResult> completion)
            {
                // A record that waited in the pending queue: its caller awaits this instead of a pooled source.
                if (error is null)
                {
                    completion.TrySetResult(result);
                }
                else
                {
                    completion.TrySetException(error);
                }
            }
            else if (slot.Handler is Action<DeliveryReport> handler)
            {
                try
                {
                    handler(new DeliveryReport(result, error));
                }
#pragma warning disable CA1031 // A throwing user handler must not stop the other records' reports.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    ProducerLog.DeliveryHandlerFailed(logger, topic, partition, e);
                }
            }
        }

        ReleaseReference();
    }

    /// <summary>Drops one hold on the batch; the last one returns it to the pool.</summary>
    public void ReleaseReference()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Reset();
            _pool.Return(this);
        }
    }

    private void WriteHeader(Span<byte> batch)
    {
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetOffset..], 0);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BatchLengthOffset..], batch.Length - RecordBatchLayout.LogOverhead);

        // -1 (no leader epoch) as the Java client sends; the broker stamps its own.
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochOffset..], -1);
        batch[RecordBatchLayout.MagicOffset] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.AttributesOffset..], (short)_sealedCodec);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaOffset..], RecordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseTimestampOffset..], _baseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.MaxTimestampOffset..], _maxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchLayout.ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.RecordsCountOffset..], RecordCount);
        RecordBatchHeader.WriteCrc(batch);
    }

    private bool TryGrow(int recordSize, BufferPool memory)
    {
        // Double (amortised O(1) appends), never below what the record needs. Powers of two are exactly what the
        // shared array pool hands out, so the reservation matches the array held.
        ulong needed = (ulong)_position + (ulong)recordSize;
        int target = (int)Math.Min((ulong)Array.MaxLength, Math.Max(BitOperations.RoundUpToPowerOf2(needed), 2UL * (ulong)_buffer.Length));
        int extra = target - _buffer.Length;
        if (!memory.TryReserve(extra))
        {
            return false;
        }

        byte[] grown = _buffers.Rent(target);
        _buffer.AsSpan(0, _position).CopyTo(grown);
        _buffers.Return(_buffer);
        _buffer = grown;
        ReservedBytes += extra;
        return true;
    }

    private void ReturnBuffers()
    {
        _buffers.Return(_buffer);
        _buffer = [];
        _compressed.Return();
    }

    private void Reset()
    {
        ReturnBuffers();
        Queue = null!;
        RecordCount = 0;
        _position = 0;
        Attempts = 0;
        RetryAtTicks = 0;
        BaseSequence = -1;
        ProducerId = -1;
        ProducerEpoch = -1;
        ReservedBytes = 0;
        _compressedBuilt = false;
        _sendUncompressed = false;
        _baseTimestamp = 0;
        _maxTimestamp = 0;
    }

    private readonly record struct Slot(object? Handler, long TimestampMs);
}
