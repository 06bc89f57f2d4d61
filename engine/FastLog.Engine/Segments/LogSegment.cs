using FastLog.Engine.Index;
using FastLog.Engine.Storage;
using FastLog.Format;
using Microsoft.Win32.SafeHandles;

namespace FastLog.Engine.Segments;

/// <summary>
/// One segment of a partition log: a <c>.log</c> file of RecordBatch v2 bytes exactly as on the wire
/// (offsets stamped), plus its sparse <see cref="OffsetIndex"/> and <see cref="TimeIndex"/>.
/// </summary>
/// <remarks>
/// Threading: one appender at a time (the partition's append lock); any number of concurrent readers.
/// A reader first reads <see cref="SizeBytes"/> (published with a volatile write after the bytes are
/// in the file) and never looks past it, so it only ever sees whole, written batches.
/// Index entries point at the batch holding the entry's (last) offset, as in Kafka: an entry is added
/// once more than index.interval.bytes were appended since the previous one.
/// Crash behaviour: the .log is the truth; indexes carry no checksum and are rebuilt by
/// <see cref="Recover"/> after an unclean stop.
/// </remarks>
public sealed partial class LogSegment : IDisposable
{
    private readonly SafeFileHandle _log;
    private readonly int _indexIntervalBytes;
    private int _sizeBytes;
    private long _nextOffset;
    private long _maxTimestampMs = -1;
    private long _offsetOfMaxTimestamp;
    private int _bytesSinceLastIndexEntry;
    private bool _disposed;

    /// <summary>The newest batches' positions, for lookups at the tail: created with a new segment (or by the first append to one opened from disk), dropped at roll.</summary>
    private RecentBatches? _recentBatches;

    private LogSegment(string directory, long baseOffset, SafeFileHandle log, OffsetIndex offsetIndex, TimeIndex timeIndex, int indexIntervalBytes, long createdAtMs)
    {
        Directory = directory;
        BaseOffset = baseOffset;
        _log = log;
        OffsetIndex = offsetIndex;
        TimeIndex = timeIndex;
        _indexIntervalBytes = indexIntervalBytes;
        CreatedAtMs = createdAtMs;
        _nextOffset = baseOffset;
        _offsetOfMaxTimestamp = baseOffset;
    }

    public string Directory { get; }

    public long BaseOffset { get; }

    public string LogPath => SegmentFileNames.LogFile(Directory, BaseOffset);

    public OffsetIndex OffsetIndex { get; }

    public TimeIndex TimeIndex { get; }

    /// <summary>When the segment was created (or opened, for segments from disk): drives segment.ms.</summary>
    public long CreatedAtMs { get; }

    /// <summary>Bytes of whole batches in the file; readers never look past it.</summary>
    public int SizeBytes => Volatile.Read(ref _sizeBytes);

    /// <summary>The offset after the last batch (the base offset when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    public bool IsEmpty => SizeBytes == 0;

    /// <summary>Largest batch maxTimestamp seen, -1 when none: what retention.ms compares.</summary>
    public long MaxTimestampMs => Volatile.Read(ref _maxTimestampMs);

    /// <summary>The file handle, for zero-copy sends and durable syncs.</summary>
    public SafeFileHandle Handle => _log;

    /// <summary>Creates an empty segment (the files must not exist yet, except leftovers it replaces).</summary>
    public static LogSegment Create(string directory, long baseOffset, int indexMaxBytes, int indexIntervalBytes, long nowMs)
    {
        string logPath = SegmentFileNames.LogFile(directory, baseOffset);
        var handle = File.OpenHandle(logPath, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            DeleteIfExists(SegmentFileNames.IndexFile(directory, baseOffset));
            DeleteIfExists(SegmentFileNames.TimeIndexFile(directory, baseOffset));
            var offsetIndex = new OffsetIndex(SegmentFileNames.IndexFile(directory, baseOffset), baseOffset, indexMaxBytes);
            var timeIndex = new TimeIndex(SegmentFileNames.TimeIndexFile(directory, baseOffset), baseOffset, TimeIndexBytesFor(indexMaxBytes));
            // A new segment is the active one: its recent batches are kept from the first append.
            return new LogSegment(directory, baseOffset, handle, offsetIndex, timeIndex, indexIntervalBytes, nowMs) { _recentBatches = new RecentBatches() };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing segment. Its size is the file's length; callers that cannot trust the tail
    /// (unclean stop) must call <see cref="Recover"/> next. Otherwise the next offset and largest
    /// timestamp are found from the last index entry by a short header scan.
    /// </summary>
    public static LogSegment Open(string directory, long baseOffset, int indexMaxBytes, int indexIntervalBytes, long nowMs, bool writableIndexes)
    {
        string logPath = SegmentFileNames.LogFile(directory, baseOffset);
        var handle = File.OpenHandle(logPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        OffsetIndex? offsetIndex = null;
        try
        {
            // Closed segments map their trimmed indexes read-only; a missing index is recreated writable
            // (and rebuilt by the caller) because a read-only index cannot be created.
            string indexPath = SegmentFileNames.IndexFile(directory, baseOffset);
            string timeIndexPath = SegmentFileNames.TimeIndexFile(directory, baseOffset);
            bool writable = writableIndexes || !File.Exists(indexPath) || !File.Exists(timeIndexPath);
            offsetIndex = new OffsetIndex(indexPath, baseOffset, indexMaxBytes, writable);
            var timeIndex = new TimeIndex(timeIndexPath, baseOffset, TimeIndexBytesFor(indexMaxBytes), writable);
            var segment = new LogSegment(directory, baseOffset, handle, offsetIndex, timeIndex, indexIntervalBytes, nowMs);
            long length = RandomAccess.GetLength(handle);
            segment._sizeBytes = (int)Math.Min(length, int.MaxValue);
            segment._preparedEndBytes = length;
            return segment;
        }
        catch
        {
            offsetIndex?.Dispose();
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends one batch whose offsets are already stamped. The caller holds the partition's append
    /// lock and has checked that the batch fits (<see cref="CanAppend"/>).
    /// </summary>
    public void Append(ReadOnlySpan<byte> batch, long lastOffset, long maxTimestampMs)
    {
        int position = _sizeBytes;
        long endBytes = (long)position + batch.Length;
        if (_writeBuffer is { } buffer)
        {
            buffer.Append(batch, position);
        }
        else if (endBytes <= Volatile.Read(ref _preparedEndBytes))
        {
            // Inside the zero-filled tail: overwrites blocks that are already allocated and sized.
            RandomAccess.Write(_log, batch, position);
        }
        else
        {
            WritePastPreparedTail(batch, position, endBytes);
        }

        if (maxTimestampMs > _maxTimestampMs)
        {
            Volatile.Write(ref _maxTimestampMs, maxTimestampMs);
            _offsetOfMaxTimestamp = lastOffset;
        }

        // Recorded before the size that includes the batch is published: a reader that sees the size
        // finds the batch among the recent ones.
        (_recentBatches ??= new RecentBatches()).Record(lastOffset, position, batch.Length);

        // Publish the bytes before any index entry can point at them.
        Volatile.Write(ref _nextOffset, lastOffset + 1);
        Volatile.Write(ref _sizeBytes, position + batch.Length);

        if (_bytesSinceLastIndexEntry > _indexIntervalBytes)
        {
            OffsetIndex.Append(lastOffset, position);
            TimeIndex.MaybeAppend(_maxTimestampMs, _offsetOfMaxTimestamp);
            _bytesSinceLastIndexEntry = 0;
        }

        _bytesSinceLastIndexEntry += batch.Length;
    }

    /// <summary>Whether a batch of this size and last offset may go into this segment without a roll.</summary>
    public bool CanAppend(int batchSizeBytes, long lastOffset, int segmentBytes)
    {
        if (OffsetIndex.IsFull || TimeIndex.IsFull)
        {
            return false;
        }

        if (lastOffset - BaseOffset > int.MaxValue)
        {
            return false;
        }

        return IsEmpty || (long)_sizeBytes + batchSizeBytes <= segmentBytes;
    }

    /// <summary>Makes the appended bytes durable (fdatasync of the .log; indexes are rebuildable), writing out first what only a write buffer holds.</summary>
    public void Sync()
    {
        Volatile.Read(ref _writeBuffer)?.WriteAll(this, SizeBytes);
        FileSync.DataSync(_log);
    }

    /// <summary>
    /// Called (under the append lock) when the segment stops being the active one: records its
    /// largest timestamp in the time index, so retention.ms still sees it after a restart, and seals
    /// both indexes at their valid size while readers may still be using them.
    /// </summary>
    public void OnRolled()
    {
        // Readers of a closed segment go through its sparse index; its window goes with the roll.
        Volatile.Write(ref _recentBatches, null);
        AppendFinalTimeIndexEntry();
        OffsetIndex.Seal();
        TimeIndex.Seal();
    }

    /// <summary>On a clean close (no readers left): shrink the preallocated indexes to their entries.</summary>
    public void TrimIndexes()
    {
        AppendFinalTimeIndexEntry();
        OffsetIndex.TrimToValidSize();
        TimeIndex.TrimToValidSize();
    }

    private void AppendFinalTimeIndexEntry()
    {
        if (TimeIndex.IsWritable && _maxTimestampMs > TimeIndex.LastEntry.Timestamp && _offsetOfMaxTimestamp >= TimeIndex.LastEntry.Offset &&
            TimeIndex.EntryCount < TimeIndex.MaxEntries)
        {
            TimeIndex.MaybeAppend(_maxTimestampMs, _offsetOfMaxTimestamp, skipFullCheck: true);
        }
    }

    /// <summary>Deletes the segment's files (after the handle is closed by <see cref="Dispose"/> or not: Linux keeps open files readable).</summary>
    public void DeleteFiles()
    {
        DeleteIfExists(LogPath);
        DeleteIfExists(OffsetIndex.Path);
        DeleteIfExists(TimeIndex.Path);
    }

    /// <summary>Renames the files to <c>*.deleted</c> so a restart finishes the deletion even if the process dies first.</summary>
    public void MarkDeleted()
    {
        RenameIfExists(LogPath, LogPath + SegmentFileNames.DeletedSuffix);
        RenameIfExists(OffsetIndex.Path, OffsetIndex.Path + SegmentFileNames.DeletedSuffix);
        RenameIfExists(TimeIndex.Path, TimeIndex.Path + SegmentFileNames.DeletedSuffix);
    }

    public void DeleteMarkedFiles()
    {
        DeleteIfExists(LogPath + SegmentFileNames.DeletedSuffix);
        DeleteIfExists(OffsetIndex.Path + SegmentFileNames.DeletedSuffix);
        DeleteIfExists(TimeIndex.Path + SegmentFileNames.DeletedSuffix);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // A clean close wrote everything out before; after a failure there is nothing left to save.
        if (Interlocked.Exchange(ref _writeBuffer, null) is { } buffer)
        {
            buffer.Detach();
        }

        OffsetIndex.Dispose();
        TimeIndex.Dispose();
        _log.Dispose();
    }

    public override string ToString() => $"segment {BaseOffset} [{BaseOffset}, {NextOffset}) {SizeBytes} B";

    /// <summary>The time index gets 1.5x the offset index's bytes: same entry count at 12 instead of 8 bytes (Kafka does the same).</summary>
    private static int TimeIndexBytesFor(int offsetIndexBytes) => (int)Math.Min(int.MaxValue, offsetIndexBytes / 8L * 12L);

    private static void DeleteIfExists(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static void RenameIfExists(string from, string to)
    {
        if (File.Exists(from))
        {
            File.Move(from, to, overwrite: true);
        }
    }
}
