using FastLog.Engine.Commit;
using FastLog.Engine.Producers;
using FastLog.Engine.Segments;

namespace FastLog.Engine.Log;

/// <summary>
/// One partition's log: an ordered set of <see cref="LogSegment"/>s, the last one active.
/// </summary>
/// <remarks>
/// Appends are serialized by one lock and only write to the page cache; durability is a separate
/// step through the <see cref="GroupCommitter"/> (<see cref="WaitForDurableAsync"/>), so acks=1
/// never waits for a disk and acks=all waiters share fsyncs.
/// Reads take no lock: they see an immutable snapshot of the segment array and each segment's
/// published size. Segments removed by retention are renamed to <c>*.deleted</c> at once and closed
/// after file.delete.delay.ms, so a reader holding a slice of one keeps a valid handle.
/// Offsets: log start offset ≤ high watermark ≤ log end offset; the recovery point (durable end) ≤
/// log end offset. An I/O error takes the log offline: appends and reads answer KAFKA_STORAGE_ERROR.
/// </remarks>
public sealed partial class PartitionLog : IFlushable, IDisposable
{
    private readonly object _appendLock = new();
    private readonly TimeProvider _time;
    private readonly Action<PartitionLog, IOException>? _onStorageFailure;
    private readonly List<LogSegment> _rolledUnsynced = [];
    private readonly List<PendingDeletion> _pendingDeletions = [];
    private readonly ProducerStateManager _producerState = new();
    private LogSegment[] _segments;
    private LogConfig _config;
    private CommitTracker? _tracker;
    private GroupCommitter? _committer;
    private long _logEndOffset;
    private long _logStartOffset;
    private long _highWatermark;
    private long _recoveryPoint;
    private bool _directoryDirty;
    private volatile bool _offline;
    private volatile bool _closed;

    // Readers inside the segments' indexes right now; Close waits for them (see TryEnterRead).
    private int _activeReaders;
    private Action<PartitionLog>? _highWatermarkListener;

    // Tail preallocation (see AfterFlush); only the flusher touches these.
    private readonly int _preallocateStepBytes;
    private LogSegment? _segmentAtLastFlush;
    private LogSegment? _segmentToPrepare;
    private int _sizeAtLastFlush;
    private int _syncedBytes;

    private PartitionLog(PartitionLogOptions options, LogSegment[] segments)
    {
        Directory = options.Directory;
        TopicPartition = options.TopicPartition;
        _config = options.Config;
        _time = options.TimeProvider;
        _onStorageFailure = options.OnStorageFailure;
        _segments = segments;
        _logEndOffset = segments[^1].NextOffset;
        _logStartOffset = Math.Clamp(options.LogStartOffset, segments[0].BaseOffset, _logEndOffset);
        _highWatermark = Math.Clamp(options.HighWatermark ?? _logEndOffset, _logStartOffset, _logEndOffset);
        _recoveryPoint = _logEndOffset;
        _preallocateStepBytes = options.PreallocateStepBytes;
    }

    public string Directory { get; }

    public TopicPartition TopicPartition { get; }

    /// <summary>The log's settings; replacing them applies from the next append or retention pass.</summary>
    public LogConfig Config
    {
        get => Volatile.Read(ref _config);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            Volatile.Write(ref _config, value);
        }
    }

    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>Offsets below this are on disk (fsynced); what the recovery-point checkpoint records.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    public bool IsOffline => _offline;

    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>The current segments, oldest first (a snapshot).</summary>
    public IReadOnlyList<LogSegment> Segments => Volatile.Read(ref _segments);

    public long SizeBytes
    {
        get
        {
            long total = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                total += segment.SizeBytes;
            }

            return total;
        }
    }

    /// <summary>
    /// Called each time the high watermark moves forward, outside the append lock. Fetch long polls
    /// hang off this rather than off appends: consumers read only up to the high watermark, so a
    /// wake-up between an append and the advance that follows it would find nothing and sleep again.
    /// </summary>
    public void SetHighWatermarkListener(Action<PartitionLog>? listener) => Volatile.Write(ref _highWatermarkListener, listener);

    /// <summary>Moves the high watermark forward, clamped to the log end offset; never moves it back.</summary>
    public void UpdateHighWatermark(long offset)
    {
        lock (_appendLock)
        {
            long clamped = Math.Min(offset, _logEndOffset);
            if (clamped <= _highWatermark)
            {
                return;
            }

            Volatile.Write(ref _highWatermark, clamped);
        }

        Volatile.Read(ref _highWatermarkListener)?.Invoke(this);
    }

    /// <summary>
    /// Advances the log start offset (DeleteRecords): offsets below it stop being readable at once, and
    /// segments wholly below it go at the next retention pass. It cannot pass the high watermark.
    /// </summary>
    /// <returns>False when the offset is above the high watermark (Kafka answers OFFSET_OUT_OF_RANGE).</returns>
    public bool AdvanceLogStartOffset(long offset)
    {
        lock (_appendLock)
        {
            if (offset > _highWatermark)
            {
                return false;
            }

            if (offset > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, offset);
            }

            return true;
        }
    }

    /// <summary>Completes when every offset below <paramref name="endOffsetExclusive"/> is fsynced: in the log's own files, or in the commit journal when the log has one.</summary>
    public ValueTask WaitForDurableAsync(long endOffsetExclusive, CancellationToken cancellationToken = default)
    {
        // Any flush counts, the committer's or a direct Flush(): both move the recovery point.
        if (Volatile.Read(ref _recoveryPoint) >= endOffsetExclusive)
        {
            return ValueTask.CompletedTask;
        }

        if (JournalForWaits() is { } journal)
        {
            // Everything below the caller's end offset was appended before this read, and each of those
            // batches went to the journal at or before this position.
            return journal.WaitForDurableAsync(Volatile.Read(ref _journalEndBytes), cancellationToken);
        }

        return WaitForOwnFlushAsync(endOffsetExclusive, cancellationToken);
    }

    /// <summary>
    /// Asks the group committer to fsync this log soon, whatever its policy, so everyone waiting for
    /// durability gets an answer (a stopping broker); a direct <see cref="Flush"/> without a committer.
    /// </summary>
    public void RequestFlush()
    {
        // Waits of a journaled log wait for the journal's fsync.
        Volatile.Read(ref _journal)?.RequestFlush();
        if (_tracker is { } tracker)
        {
            tracker.RequestFlush();
        }
        else
        {
            Flush();
        }
    }

    /// <summary>Fsyncs everything appended so far on the calling thread (tests, shutdown, logs without a committer).</summary>
    public void Flush()
    {
        FlushToDisk();
        AfterFlush();
    }

    /// <summary>
    /// The group committer's callback (flusher thread): captures the end offset, then syncs every
    /// segment written since the last flush and, after a roll, the directory, so the new file's
    /// name is durable too.
    /// </summary>
    public long FlushToDisk()
    {
        LogSegment active;
        LogSegment[]? rolled = null;
        long endOffset;
        int activeSizeBytes;
        bool syncDirectory;
        lock (_appendLock)
        {
            ThrowIfOffline();
            if (_closed && _segments[^1].Handle.IsClosed)
            {
                return _recoveryPoint;
            }

            endOffset = _logEndOffset;
            active = _segments[^1];
            activeSizeBytes = active.SizeBytes;
            if (_rolledUnsynced.Count > 0)
            {
                rolled = [.. _rolledUnsynced];
                _rolledUnsynced.Clear();
            }

            syncDirectory = _directoryDirty;
            _directoryDirty = false;
        }

        try
        {
            if (rolled is not null)
            {
                foreach (var segment in rolled)
                {
                    segment.Sync();
                }
            }

            active.Sync();
            if (syncDirectory)
            {
                Storage.FileSync.SyncDirectory(Directory);
            }

            PublishRecoveryPoint(endOffset);
            _segmentToPrepare = active;
            _syncedBytes = ReferenceEquals(active, _segmentAtLastFlush) ? activeSizeBytes - _sizeAtLastFlush : activeSizeBytes;
            _segmentAtLastFlush = active;
            _sizeAtLastFlush = activeSizeBytes;
        }
        catch (IOException e)
        {
            TakeOffline(e);
            throw;
        }
        catch (ObjectDisposedException) when (_closed)
        {
            return RecoveryPoint;
        }

        return endOffset;
    }

    private void PublishRecoveryPoint(long endOffset)
    {
        long previous = Volatile.Read(ref _recoveryPoint);
        if (endOffset > previous)
        {
            Volatile.Write(ref _recoveryPoint, endOffset);
        }
    }

    /// <summary>
    /// After a sync whose waiters were answered (the committer calls it; <see cref="Flush"/> too):
    /// keeps a zero-filled, fsynced stretch ahead of the appends when this partition is synced in
    /// small steps, where the metadata a growing file adds to every sync dominates. Large steps
    /// (bulk appends) skip it: writing every byte twice would cost more than it saves. The zeros' own
    /// sync delays only this partition's next flush. Returns whether it wrote and synced zeros.
    /// </summary>
    public bool AfterFlush()
    {
        var active = _segmentToPrepare;
        _segmentToPrepare = null;
        int step = _preallocateStepBytes;
        if (active is null || step <= 0 || _closed || _syncedBytes > step / 8 || active.PreparedTailBytes >= step / 2)
        {
            return false;
        }

        try
        {
            return active.ExtendPreparedTail(step, Config.SegmentBytes);
        }
        catch (IOException e)
        {
            TakeOffline(e);
            throw;
        }
        catch (ObjectDisposedException) when (_closed)
        {
            // Closed meanwhile: the close trims whatever was prepared.
            return false;
        }
    }

    public override string ToString() => $"{TopicPartition} [{LogStartOffset}, {LogEndOffset}) hw {HighWatermark}";

    private void ThrowIfOffline()
    {
        if (_offline)
        {
            throw new IOException($"log {TopicPartition} in {Directory} is offline after an I/O error");
        }
    }

    internal void TakeOffline(IOException error)
    {
        if (_offline)
        {
            return;
        }

        _offline = true;
        _onStorageFailure?.Invoke(this, error);
    }

    private readonly record struct PendingDeletion(LogSegment Segment, ITimer Timer);
}
