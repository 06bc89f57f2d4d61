using FastLog.Engine.Journal;

namespace FastLog.Engine.Log;

/// <summary>
/// Durability through the directory's <see cref="CommitJournal"/>: every batch appended is copied
/// there too, and a durability wait becomes a wait for the journal's fsync, shared by every partition
/// written at the same time. The log's own files are fsynced by the journal's checkpoints.
/// </summary>
/// <remarks>
/// A batch the journal does not take (larger than a journal file, or the journal failed or closed)
/// falls back to this log's own fsync: until that fsync has covered it, waits use the log's own
/// tracker, which flushes everything appended so far. Journal records are written under the append
/// lock, so a partition's records sit in the journal in offset order, as recovery needs them.
/// </remarks>
public sealed partial class PartitionLog
{
    private CommitJournal? _journal;

    // Journal position after this log's newest journaled batch: what a wait for any offset appended so far needs.
    private long _journalEndBytes;

    // End offset of the newest batch the journal did not take; waits below it need this log's own fsync.
    private long _unjournaledEndOffset;

    private volatile bool _deleted;

    /// <summary>Whether the log was deleted (its topic deleted): a write whose wait completes afterwards is gone.</summary>
    public bool IsDeleted => _deleted;

    /// <summary>Before the log's deletion closes it: waits completing from now on must not count as durable.</summary>
    internal void MarkDeleted() => _deleted = true;

    /// <summary>Whether appends go to a commit journal (waits then wait for the journal's fsync).</summary>
    public bool IsJournaled => Volatile.Read(ref _journal) is not null;

    /// <summary>From now on every append is copied to <paramref name="journal"/>. Everything appended before must already be durable or flushed by the caller.</summary>
    internal void AttachJournal(CommitJournal journal)
    {
        lock (_appendLock)
        {
            Volatile.Write(ref _journal, journal);
        }
    }

    // The page size writeback works in (4 KiB on the platforms the broker runs on).
    private const int WritebackPageBytes = 4096;

    // Where the active segment's background writeback has been started up to (journal thread only).
    private Segments.LogSegment? _writebackSegment;
    private int _writebackStartedBytes;

    /// <summary>Where the active segment's background writeback has been started up to (tests).</summary>
    internal int WritebackStartedBytes => _writebackStartedBytes;

    // Direct writes are synchronous on the journal's tick thread: fewer, larger ones (see StartWriteback).
    // Against 64 KiB, at 130 k records/s over 16 partitions: 0.03 core less broker CPU in two alternated
    // 60 s pairs, produce p99 within the run-to-run spread.
    private const int DirectWritebackMinBytes = 256 * 1024;

    // Pages are dropped in steps of at least this much (see StartWriteback).
    private const int PageCacheDropStepBytes = 128 * 1024;

    // Each step's range starts this far before the last one ended: the kernel drops whole folios only,
    // and a large folio (up to 2 MiB) that straddled the previous end would otherwise stay for good.
    private const int PageCacheDropOverlapBytes = 2 * 1024 * 1024;

    // Up to where the active segment's pages have been dropped from the page cache (journal thread only).
    private long _pageCacheDroppedBytes;

    /// <summary>Up to where the active segment's pages have been dropped from the page cache (tests).</summary>
    internal long PageCacheDroppedBytes => _pageCacheDroppedBytes;

    /// <summary>
    /// The journal's writeback tick: starts writing the active segment's new bytes to the device, without
    /// waiting or flushing. With a journal the partition is fsynced only at checkpoints; without this, a
    /// checkpoint would push a whole journal file's worth of partition data at once, and every journal
    /// fsync in the meantime would queue behind it (its cache flush waits for all writes in flight).
    /// </summary>
    /// <remarks>
    /// With <paramref name="pageCacheTailBytes"/> above 0 it also drops the active segment's pages that lie
    /// more than that far behind its end from the page cache, in steps of at least 128 KiB, once the tick
    /// has long started writing them (earlier pages that are still dirty or being written are skipped by
    /// the kernel and stay cached). Why: on a virtual machine that hands free memory back to its host
    /// (free page reporting), every page the cache grows into is faulted in by the host on first write,
    /// at about five times the cost of reusing one (<c>perf-results/README.md</c>); a bounded cache lets
    /// appends reuse pages. The cost is that a consumer further behind than the tail reads the device.
    /// </remarks>
    internal void StartWriteback(int minBytes, long pageCacheTailBytes = 0)
    {
        var active = Volatile.Read(ref _segments)[^1];
        try
        {
            if (active.WriteBufferedPages(Math.Max(minBytes, DirectWritebackMinBytes)))
            {
                return; // written from the partition's own memory: the page cache holds none of it
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Closed or failing: the next fsync, which writes the same pages first, reports what matters.
            return;
        }

        if (!ReferenceEquals(active, _writebackSegment))
        {
            _writebackSegment = active;
            _writebackStartedBytes = 0;
            _pageCacheDroppedBytes = 0;
        }

        // Whole pages only. The page holding the tail is still being appended to: written back now, it
        // would go to the device again once filled, and an appender writing into it would wait for
        // the page lock while the writeback takes it.
        int end = active.SizeBytes & ~(WritebackPageBytes - 1);
        if (end - _writebackStartedBytes < minBytes)
        {
            return;
        }

        try
        {
            Storage.FileSync.StartWriteback(active.Handle, _writebackStartedBytes, end - _writebackStartedBytes);
            _writebackStartedBytes = end;
            long dropTo = (end - pageCacheTailBytes) & ~(long)(WritebackPageBytes - 1);
            if (pageCacheTailBytes > 0 && dropTo - _pageCacheDroppedBytes >= PageCacheDropStepBytes)
            {
                long from = Math.Max(0, _pageCacheDroppedBytes - PageCacheDropOverlapBytes);
                Storage.FileSync.DropFromPageCache(active.Handle, from, dropTo - from);
                _pageCacheDroppedBytes = dropTo;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Closed or failing: the next fsync reports what matters.
        }
    }

    /// <summary>Waits for this log's own fsync (not the journal's): every wait of a log without a journal, and the journal's checkpoint.</summary>
    internal ValueTask WaitForOwnFlushAsync(long endOffsetExclusive, CancellationToken cancellationToken = default)
    {
        // Any flush counts, the committer's or a direct Flush(): both move the recovery point.
        if (Volatile.Read(ref _recoveryPoint) >= endOffsetExclusive)
        {
            return ValueTask.CompletedTask;
        }

        if (_tracker is { } tracker)
        {
            return tracker.WaitForDurableAsync(endOffsetExclusive, cancellationToken);
        }

        Flush();
        return ValueTask.CompletedTask;
    }

    /// <summary>Under the append lock, after the batch reached the segment: its copy in the journal, or the note that it has none.</summary>
    private void JournalAppended(ReadOnlySpan<byte> batch, int recordCount, long endOffset)
    {
        var journal = _journal;
        if (journal is null)
        {
            return;
        }

        try
        {
            if (journal.TryAppend(TopicPartition, batch, recordCount, out long endBytes))
            {
                Volatile.Write(ref _journalEndBytes, endBytes);
                return;
            }
        }
        catch (IOException)
        {
            // The journal failed; this batch is made durable by the log's own fsync instead.
        }
        catch (ObjectDisposedException)
        {
            // The journal closed first (shutdown); likewise.
        }

        Volatile.Write(ref _unjournaledEndOffset, endOffset);
    }

    /// <summary>The journal that can answer a durability wait now, or null when only the log's own fsync can.</summary>
    private CommitJournal? JournalForWaits()
    {
        var journal = Volatile.Read(ref _journal);
        return journal is null || Volatile.Read(ref _unjournaledEndOffset) > Volatile.Read(ref _recoveryPoint) ? null : journal;
    }
}
