using FastLog.Engine.Producers;
using FastLog.Engine.Segments;
using FastLog.Format;

namespace FastLog.Engine.Log;

/// <summary>The append path: validate outside the lock, stamp and write inside it.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Appends exactly one RecordBatch v2. The batch is validated (header, lengths, count, CRC, size
    /// limit) before the lock; an idempotent producer's sequence and epoch are checked under it (a
    /// retry of a recent batch returns <see cref="AppendStatus.Duplicate"/> with the original offsets); then its baseOffset and partitionLeaderEpoch are stamped in place in
    /// <paramref name="batch"/> (both outside the CRC: no re-encode, no decompression) and the bytes
    /// are written to the active segment's page cache. Cost depends on the batch's bytes, not on how
    /// many records it holds. Does not wait for the disk: see <see cref="WaitForDurableAsync"/>.
    /// </summary>
    public AppendResult Append(Span<byte> batch, int leaderEpoch)
    {
        var config = Config;
        var error = RecordBatchValidator.Validate(batch, config.MaxMessageBytes, out int sizeBytes);
        if (error != RecordBatchError.None)
        {
            return AppendResult.Invalid(error);
        }

        if (sizeBytes != batch.Length)
        {
            // Exactly one batch per append: trailing bytes would be written unvalidated.
            return AppendResult.Invalid(RecordBatchError.InvalidLength);
        }

        var header = new RecordBatchHeader(batch);
        int lastOffsetDelta = header.LastOffsetDelta;
        int recordCount = lastOffsetDelta + 1;
        long maxTimestampMs = header.MaxTimestamp;
        long producerId = header.IsControl ? -1 : header.ProducerId;
        short producerEpoch = header.ProducerEpoch;
        int firstSequence = header.BaseSequence;
        int lastSequence = ProducerStateManager.LastSequenceOf(firstSequence, lastOffsetDelta);
        long baseOffset;
        long lastOffset;
        lock (_appendLock)
        {
            if (_offline || _closed)
            {
                return AppendResult.Offline;
            }

            if (producerId >= 0)
            {
                var check = _producerState.Check(producerId, producerEpoch, firstSequence, lastSequence, out var original);
                if (check == ProducerAppendCheck.Duplicate)
                {
                    return new AppendResult(AppendStatus.Duplicate, RecordBatchError.None, original.FirstOffset, original.LastOffset);
                }

                if (check != ProducerAppendCheck.Accept)
                {
                    return AppendResult.Rejected(check);
                }
            }

            baseOffset = _logEndOffset;
            lastOffset = baseOffset + lastOffsetDelta;
            RecordBatchHeader.StampBaseOffset(batch, baseOffset);
            RecordBatchHeader.StampPartitionLeaderEpoch(batch, leaderEpoch);
            try
            {
                var active = ActiveSegmentFor(sizeBytes, lastOffset, config);
                active.Append(batch, lastOffset, maxTimestampMs);
            }
            catch (IOException e)
            {
                TakeOffline(e);
                return AppendResult.Offline;
            }

            Volatile.Write(ref _logEndOffset, lastOffset + 1);
            JournalAppended(batch, recordCount, lastOffset + 1);
            if (producerId >= 0)
            {
                _producerState.Update(producerId, producerEpoch, new ProducerBatch(firstSequence, lastSequence, baseOffset, lastOffset, maxTimestampMs));
            }
        }

        _tracker?.NotifyAppended(lastOffset + 1, recordCount);
        return new AppendResult(AppendStatus.Success, RecordBatchError.None, baseOffset, lastOffset);
    }

    /// <summary>The segment the next batch goes to, rolling first when segment.bytes, segment.ms, a full index or the int32 relative-offset range demand it.</summary>
    private LogSegment ActiveSegmentFor(int batchSizeBytes, long lastOffset, LogConfig config)
    {
        var active = _segments[^1];
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        bool tooOld = !active.IsEmpty && nowMs - active.CreatedAtMs >= config.SegmentMs;
        if (!tooOld && active.CanAppend(batchSizeBytes, lastOffset, config.SegmentBytes))
        {
            return active;
        }

        return Roll(nowMs, config);
    }

    /// <summary>Starts a new active segment at the log end offset. Caller holds the append lock.</summary>
    private LogSegment Roll(long nowMs, LogConfig config)
    {
        var previous = _segments[^1];
        var next = LogSegment.Create(Directory, _logEndOffset, config.SegmentIndexBytes, config.IndexIntervalBytes, nowMs);

        // Producer state as of the new segment's base: a restart scans from here, not from the start.
        _producerState.WriteSnapshot(Directory, _logEndOffset);
        LogSegment[] segments = [.. _segments, next];
        Volatile.Write(ref _segments, segments);
        previous.OnRolled();
        var writeBuffer = previous.DetachWriteBuffer();
        previous.TrimPreparedTail();
        if (writeBuffer is not null)
        {
            // The same memory serves the partition's next segment.
            next.AttachWriteBuffer(writeBuffer);
        }

        // The rolled segment and the new file's directory entry must reach the disk before any
        // offset in the new segment is reported durable: the next flush syncs both.
        _rolledUnsynced.Add(previous);
        _directoryDirty = true;
        return next;
    }
}
