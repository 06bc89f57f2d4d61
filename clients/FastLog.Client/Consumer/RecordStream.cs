using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLog.Format;
using FastLog.Protocol;

namespace FastLog.Client.Consumer;

/// <summary>
/// The consume hot path: walks fetched responses → partition chunks → record batches → records, parsing each
/// record lazily in place and handing it out as a <see cref="ConsumedRecord"/> of offsets into the frame (or into
/// the pooled decompression buffer for a compressed batch). Nothing is allocated per record.
/// </summary>
/// <remarks>
/// <para>Per record the fast path does one volatile read (<see cref="ConsumerSignals.Version"/>), a handful of
/// varint reads with bounds checks, and one position store. Everything rarer — seeks, pauses, rebalances, auto
/// commits, errors, waiting for data — goes through <see cref="MoveNextSlowAsync"/>.</para>
/// <para>What is skipped: batches wholly before the position (a fetch returns whole batches, so the first may
/// start before the requested offset; records before the position are skipped one by one), control batches,
/// and under read_committed the batches of aborted transactions. Data stamped with an old partition version
/// (seeked, paused, revoked since the fetch was sent) is dropped unread.</para>
/// <para>Single consumer thread; not thread-safe.</para>
/// </remarks>
internal sealed class RecordStream : IDisposable
{
    /// <summary>Bound on one batch's inflated records (decompression-bomb guard), far above any real batch.</summary>
    private const int MaxDecompressedBatchBytes = 256 * 1024 * 1024;

    /// <summary>A record body holds at least attributes, two deltas, two lengths and a header count.</summary>
    private const int MinRecordBodyBytes = 6;

    private const short ControlTypeAbort = 0;

    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(1);

    private readonly FetchBuffer _buffer;
    private readonly ConsumerSignals _signals;
    private readonly Func<CancellationToken, ValueTask<bool>> _onSignal;
    private readonly Action<PartitionState>? _onCorrupt;
    private readonly bool _checkCrcs;
    private readonly bool _readCommitted;
    private readonly PooledBufferWriter _decompressed = new(64 * 1024);

    private FetchedResponse? _response;
    private int _chunkIndex;
    private FetchedChunk? _chunk;
    private PartitionState? _state;
    private string _topic = string.Empty;
    private int _partition;
    private byte[] _chunkBuffer = [];
    private int _batchPosition;
    private int _chunkEnd;

    private byte[] _records = [];
    private int _recordPosition;
    private int _recordsEnd;
    private int _recordsLeft;
    private long _baseOffset;
    private long _baseTimestamp;
    private long _maxTimestamp;
    private bool _logAppendTime;
    private int _leaderEpoch;

    private int _abortedIndex;
    private HashSet<long>? _abortedProducers;

    private ConsumedRecord _current;
    private int _seenSignal;

    /// <param name="buffer">Where fetched responses arrive.</param>
    /// <param name="signals">Raised by anything that needs the consuming thread.</param>
    /// <param name="onSignal">Handles a raised signal on the consuming thread; false when the consumer is closed.</param>
    /// <param name="checkCrcs">Verify each batch's CRC-32C.</param>
    /// <param name="readCommitted">Skip aborted transactional batches.</param>
    /// <param name="onCorrupt">Told which partition held corrupt data (so it is fetched again from the position).</param>
    public RecordStream(
        FetchBuffer buffer,
        ConsumerSignals signals,
        Func<CancellationToken, ValueTask<bool>> onSignal,
        bool checkCrcs,
        bool readCommitted,
        Action<PartitionState>? onCorrupt = null)
    {
        _buffer = buffer;
        _signals = signals;
        _onSignal = onSignal;
        _onCorrupt = onCorrupt;
        _checkCrcs = checkCrcs;
        _readCommitted = readCommitted;
        _seenSignal = signals.Version;
    }

    /// <summary>The record the last successful move produced.</summary>
    public ConsumedRecord Current => _current;

    /// <summary>Incremented on every move: the group loop reads it to tell a live application from a stuck one.</summary>
    public long Moves;

    /// <summary>True while the consuming thread is parked waiting for data (so it is not "stuck" in user code).</summary>
    public volatile bool Waiting;

    /// <summary>Advances to the next record; false only when the consumer is closed.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        Moves++;
        if (_signals.Version == _seenSignal && TryMoveNext())
        {
            return new ValueTask<bool>(true);
        }

        return MoveNextSlowAsync(cancellationToken);
    }

    /// <summary>Drops the record being iterated and everything buffered (the consumer is closing).</summary>
    public void Dispose()
    {
        AbandonChunk();
        _response?.Dispose();
        _response = null;
        _decompressed.Dispose();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> MoveNextSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int signal = _signals.Version;
            if (signal != _seenSignal)
            {
                _seenSignal = signal;
                if (!await _onSignal(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                RevalidateChunk();
            }

            if (TryMoveNext())
            {
                return true;
            }

            Waiting = true;
            try
            {
                await _signals.ReaderWake.WaitAsync(IdleRecheck, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Waiting = false;
            }
        }
    }

    /// <summary>The synchronous walk: next record of this batch, else next batch, chunk or buffered response.</summary>
    private bool TryMoveNext()
    {
        while (true)
        {
            if (_recordsLeft > 0)
            {
                _recordsLeft--;
                if (ReadRecord())
                {
                    return true;
                }

                continue;
            }

            if (_chunk is not null && NextBatch())
            {
                continue;
            }

            if (!NextChunk())
            {
                return false;
            }
        }
    }

    /// <summary>Parses the record at the cursor; false when it lies before the position and is skipped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool ReadRecord()
    {
        byte[] records = _records;
        int p = _recordPosition;
        if (!RecordVarInt.TryRead(records, ref p, _recordsEnd, out int length) || length < MinRecordBodyBytes || length > _recordsEnd - p)
        {
            ThrowCorrupt("record length runs past the batch");
        }

        int end = p + length;
        p++; // attributes: unused
        bool valid = RecordVarInt.TryReadLong(records, ref p, end, out long timestampDelta);
        valid &= RecordVarInt.TryRead(records, ref p, end, out int offsetDelta);
        valid &= RecordVarInt.TryRead(records, ref p, end, out int keyLength);
        if (!valid || keyLength < -1 || keyLength > end - p)
        {
            ThrowCorrupt("malformed record header or key");
        }

        int keyStart = p;
        if (keyLength > 0)
        {
            p += keyLength;
        }

        if (!RecordVarInt.TryRead(records, ref p, end, out int valueLength) || valueLength < -1 || valueLength > end - p)
        {
            ThrowCorrupt("malformed record value");
        }

        int valueStart = p;
        if (valueLength > 0)
        {
            p += valueLength;
        }

        if (!RecordVarInt.TryRead(records, ref p, end, out int headerCount) || headerCount < 0 || headerCount > end - p)
        {
            ThrowCorrupt("malformed header count");
        }

        _recordPosition = end;
        long offset = _baseOffset + offsetDelta;
        PartitionState state = _state!;
        if (offset < state.Position)
        {
            return false;
        }

        _current = new ConsumedRecord(
            _topic,
            _partition,
            offset,
            _logAppendTime ? _maxTimestamp : _baseTimestamp + timestampDelta,
            _logAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
            _leaderEpoch,
            records,
            keyStart,
            keyLength,
            valueStart,
            valueLength,
            p,
            end,
            headerCount);
        state.Position = offset + 1;
        state.PositionLeaderEpoch = _leaderEpoch;
        return true;
    }

    /// <summary>Positions the record cursor on the next batch of the chunk worth reading; false at the chunk's end.</summary>
    private bool NextBatch()
    {
        byte[] buffer = _chunkBuffer;
        while (_chunkEnd - _batchPosition >= RecordBatchLayout.HeaderSize)
        {
            int start = _batchPosition;
            ReadOnlySpan<byte> header = buffer.AsSpan(start, RecordBatchLayout.HeaderSize);
            int size = RecordBatchLayout.LogOverhead + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.BatchLengthOffset..]);
            if (size < RecordBatchLayout.HeaderSize || size > _chunkEnd - start)
            {
                // Chunks hold whole batches only; anything else is corrupt.
                ThrowCorrupt($"batch of {size} bytes does not fit the {_chunkEnd - start} bytes left");
            }

            _batchPosition = start + size;
            if (header[RecordBatchLayout.MagicOffset] != RecordBatchLayout.CurrentMagic)
            {
                ThrowCorrupt($"batch magic {header[RecordBatchLayout.MagicOffset]} (only RecordBatch v2 is supported)");
            }

            long baseOffset = BinaryPrimitives.ReadInt64BigEndian(header);
            long lastOffset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.LastOffsetDeltaOffset..]);
            var attributes = (BatchAttributes)BinaryPrimitives.ReadInt16BigEndian(header[RecordBatchLayout.AttributesOffset..]);
            int count = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.RecordsCountOffset..]);
            ReadOnlySpan<byte> batch = buffer.AsSpan(start, size);
            if (_readCommitted && SkipForTransactions(batch, attributes, lastOffset))
            {
                continue;
            }

            if ((attributes & BatchAttributes.Control) != 0 || lastOffset < _state!.Position || count <= 0)
            {
                continue;
            }

            if (_checkCrcs && RecordBatchHeader.ComputeCrc(batch) != BinaryPrimitives.ReadUInt32BigEndian(header[RecordBatchLayout.CrcOffset..]))
            {
                ThrowCorrupt($"CRC mismatch in the batch at offset {baseOffset}");
            }

            var codec = (CompressionCodec)((int)attributes & (int)BatchAttributes.CompressionMask);
            if (codec == CompressionCodec.None)
            {
                _records = buffer;
                _recordPosition = start + RecordBatchLayout.RecordsOffset;
                _recordsEnd = start + size;
            }
            else
            {
                Inflate(codec, batch[RecordBatchLayout.RecordsOffset..]);
            }

            _baseOffset = baseOffset;
            _baseTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.BaseTimestampOffset..]);
            _maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[RecordBatchLayout.MaxTimestampOffset..]);
            _logAppendTime = (attributes & BatchAttributes.LogAppendTime) != 0;
            _leaderEpoch = BinaryPrimitives.ReadInt32BigEndian(header[RecordBatchLayout.PartitionLeaderEpochOffset..]);
            _recordsLeft = count;
            return true;
        }

        return false;
    }

    private void Inflate(CompressionCodec codec, ReadOnlySpan<byte> compressed)
    {
        _decompressed.Clear();
        try
        {
            Compression.Decompress(codec, compressed, _decompressed, MaxDecompressedBatchBytes);
        }
        catch (InvalidRecordBatchException e)
        {
            ThrowCorrupt($"a {codec} batch could not be decompressed ({e.Message})");
        }

        if (!MemoryMarshal.TryGetArray(_decompressed.WrittenMemory, out ArraySegment<byte> inflated) || inflated.Array is null)
        {
            throw new InvalidOperationException("The decompression buffer is array-backed.");
        }

        _records = inflated.Array;
        _recordPosition = inflated.Offset;
        _recordsEnd = inflated.Offset + inflated.Count;
    }

    /// <summary>
    /// read_committed: tracks which producers' transactions are aborted (from the response's aborted list, as the
    /// batches pass their first offsets, until their ABORT marker) and says whether this batch is to be skipped.
    /// </summary>
    private bool SkipForTransactions(ReadOnlySpan<byte> batch, BatchAttributes attributes, long lastOffset)
    {
        List<Protocol.Messages.FetchResponse.AbortedTransaction>? aborted = _chunk!.AbortedTransactions;
        if (aborted is null)
        {
            return false;
        }

        while (_abortedIndex < aborted.Count && aborted[_abortedIndex].FirstOffset <= lastOffset)
        {
            (_abortedProducers ??= []).Add(aborted[_abortedIndex].ProducerId);
            _abortedIndex++;
        }

        if ((attributes & BatchAttributes.Transactional) == 0 || _abortedProducers is null)
        {
            return false;
        }

        long producerId = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.ProducerIdOffset..]);
        if ((attributes & BatchAttributes.Control) != 0)
        {
            if (IsAbortMarker(batch, attributes))
            {
                _abortedProducers.Remove(producerId);
            }

            return true;
        }

        return _abortedProducers.Contains(producerId);
    }

    /// <summary>A control batch's single record has key <c>int16 version, int16 type</c>; type 0 is ABORT.</summary>
    private static bool IsAbortMarker(ReadOnlySpan<byte> batch, BatchAttributes attributes)
    {
        if (((int)attributes & (int)BatchAttributes.CompressionMask) != 0 || batch.Length <= RecordBatchLayout.RecordsOffset)
        {
            return false;
        }

        try
        {
            foreach (FastLog.Format.RecordView record in new RecordReader(batch[RecordBatchLayout.RecordsOffset..]))
            {
                return record.Key.Length >= 4 && BinaryPrimitives.ReadInt16BigEndian(record.Key[2..]) == ControlTypeAbort;
            }
        }
        catch (InvalidRecordBatchException)
        {
            // A malformed marker: treat as not an abort; the data batches it would have ended stay skipped.
        }

        return false;
    }

    /// <summary>Finishes the current chunk and starts the next valid one (from this response or the next).</summary>
    private bool NextChunk()
    {
        FinishChunk();
        while (true)
        {
            if (_response is not null && _chunkIndex < _response.Chunks.Count)
            {
                FetchedChunk chunk = _response.Chunks[_chunkIndex++];
                if (IsCurrent(chunk))
                {
                    StartChunk(chunk);
                    return true;
                }

                continue;
            }

            // The previous record may point into this response; it is only valid until this move, so releasing is fine.
            _response?.Dispose();
            _response = null;
            if (!_buffer.TryTake(out FetchedResponse? next))
            {
                return false;
            }

            _response = next;
            _chunkIndex = 0;
        }
    }

    private static bool IsCurrent(FetchedChunk chunk)
    {
        PartitionState state = chunk.State;
        return state.Version == chunk.Version && !state.Removed && !state.Paused && state.Position >= 0;
    }

    private void StartChunk(FetchedChunk chunk)
    {
        _chunk = chunk;
        _state = chunk.State;
        _topic = chunk.State.Topic;
        _partition = chunk.State.Partition;
        _chunkBuffer = chunk.Buffer;
        _batchPosition = chunk.Start;
        _chunkEnd = chunk.End;
        _recordsLeft = 0;
        _abortedIndex = 0;
        _abortedProducers?.Clear();
    }

    /// <summary>A fully read chunk moves the position past its trailing control or empty batches too.</summary>
    private void FinishChunk()
    {
        FetchedChunk? chunk = _chunk;
        if (chunk is not null && IsCurrent(chunk) && chunk.NextFetchOffset > chunk.State.Position)
        {
            chunk.State.Position = chunk.NextFetchOffset;
        }

        AbandonChunk();
    }

    /// <summary>After a signal: drop the chunk if its partition was seeked, paused or revoked meanwhile.</summary>
    private void RevalidateChunk()
    {
        if (_chunk is not null && !IsCurrent(_chunk))
        {
            AbandonChunk();
        }
    }

    private void AbandonChunk()
    {
        _chunk = null;
        _state = null;
        _recordsLeft = 0;
        _chunkBuffer = [];
        _batchPosition = 0;
        _chunkEnd = 0;
    }

    /// <summary>
    /// Drops the chunk and reports the partition, which is fetched again from the position: like the Java client,
    /// the consumer keeps failing at a corrupt record until the application seeks past it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowCorrupt(string detail)
    {
        PartitionState? state = _state;
        string where = $"{_topic}-{_partition}";
        AbandonChunk();
        if (state is not null)
        {
            _onCorrupt?.Invoke(state);
        }

        throw new KafkaException(ErrorCode.CorruptMessage, $"Corrupt data fetched from {where} at offset {state?.Position}: {detail}.");
    }
}
