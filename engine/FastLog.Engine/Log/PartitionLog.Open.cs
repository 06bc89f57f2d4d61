using FastLog.Engine.Producers;
using FastLog.Engine.Segments;

namespace FastLog.Engine.Log;

/// <summary>Opening (with crash recovery) and closing a partition log.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Opens the log in <see cref="PartitionLogOptions.Directory"/>, creating it when empty.
    /// After a clean shutdown segments are trusted (indexes are sanity-checked, a bad one is rebuilt).
    /// Otherwise every segment that may hold data past the recovery point is walked batch by batch:
    /// lengths, offsets and CRCs are checked, indexes rebuilt, and the log is cut at the first bad
    /// byte — later segments are deleted, since nothing after a torn write can be trusted.
    /// Leftover <c>*.deleted</c> files and <c>*.cleaned</c> staging files are removed; a <c>*.log.swap</c>
    /// file is a cleaned segment whose swap was decided, so the swap is completed and the segment recovered.
    /// Segments the cleaner rewrote (below the cleaner checkpoint's gap offset) are recovered allowing offset gaps.
    /// </summary>
    public static PartitionLog Open(PartitionLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Config.Validate();
        System.IO.Directory.CreateDirectory(options.Directory);
        long nowMs = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var swapped = CompleteInterruptedSwaps(options.Directory);
        long gapsBelow = Cleaning.CleanerCheckpoint.Read(options.Directory).GapsBelowOffset;
        var baseOffsets = ScanDirectory(options.Directory);
        var segments = new List<LogSegment>(Math.Max(1, baseOffsets.Count));
        bool recovered = false;
        try
        {
            for (int i = 0; i < baseOffsets.Count; i++)
            {
                long baseOffset = baseOffsets[i];
                bool isLast = i == baseOffsets.Count - 1;
                long nextBase = isLast ? long.MaxValue : baseOffsets[i + 1];
                bool wasSwapped = swapped.Contains(baseOffset);
                bool needsRecovery = wasSwapped || (!options.HadCleanShutdown && nextBase > options.RecoveryPointOffset);
                bool allowGaps = wasSwapped || baseOffset < gapsBelow;
                var segment = OpenSegment(options, baseOffset, nextBase, isLast, needsRecovery, allowGaps, nowMs, out bool truncated);
                recovered |= needsRecovery;
                segments.Add(segment);
                if (truncated && !isLast)
                {
                    DeleteSegmentsAfter(options.Directory, baseOffsets, i);
                    break;
                }
            }

            if (segments.Count == 0)
            {
                long start = Math.Max(0, options.LogStartOffset);
                segments.Add(LogSegment.Create(options.Directory, start, options.Config.SegmentIndexBytes, options.Config.IndexIntervalBytes, nowMs));
                recovered = true;
            }

            if (recovered)
            {
                Storage.FileSync.SyncDirectory(options.Directory);
            }
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Dispose();
            }

            throw;
        }

        var log = new PartitionLog(options, [.. segments]);
        log.LoadProducerState();
        if (options.DirectWriteBufferBytes > 0)
        {
            log.StartDirectWrites(new SegmentWriteBuffer(Math.Max(options.DirectWriteBufferBytes, SegmentWriteBuffer.MinCapacityBytes)));
        }

        if (options.Committer is not null)
        {
            log._committer = options.Committer;
            log._tracker = options.Committer.Register(log, log.LogEndOffset);
        }

        return log;
    }

    /// <summary>
    /// Closes the log. A clean close fsyncs everything and trims the active segment's indexes, so the
    /// next open can skip recovery. Returns the final log end offset (the recovery point to checkpoint).
    /// </summary>
    public long Close()
    {
        LogSegment[] segments;
        lock (_appendLock)
        {
            if (_closed)
            {
                return _logEndOffset;
            }

            // Appends stop here; the flush below then covers everything that was appended.
            _closed = true;
            segments = _segments;
        }

        if (_tracker is not null)
        {
            _committer!.Unregister(_tracker);
        }

        // Reads are short and synchronous; no new one starts now that the log is closed.
        WaitForReaders();
        if (!_offline)
        {
            try
            {
                // Trimmed before the last sync, so the file is exactly its batches on disk.
                segments[^1].TrimPreparedTail();
                FlushToDisk();
                foreach (var segment in segments)
                {
                    segment.TrimIndexes();
                }

                _producerState.WriteSnapshot(Directory, _logEndOffset);
            }
            catch (IOException e)
            {
                // Reported through TakeOffline (a no-op when the sync already did), so the directory is
                // not marked cleanly shut down; the next open recovers.
                TakeOffline(e);
            }
        }

        CompletePendingDeletions();
        foreach (var segment in segments)
        {
            segment.Dispose();
        }

        return _logEndOffset;
    }

    public void Dispose() => Close();

    /// <summary>
    /// Rebuilds idempotent-producer state: the newest snapshot at or below the log end, then the
    /// batch headers after it (snapshots above the end belonged to truncated data and are dropped).
    /// </summary>
    private void LoadProducerState()
    {
        long from = Math.Max(_producerState.LoadLatestSnapshot(Directory, _logEndOffset), _segments[0].BaseOffset);
        Span<byte> chunk = stackalloc byte[BatchHeaderScanner.ChunkBytes];
        foreach (var segment in _segments)
        {
            if (segment.NextOffset <= from)
            {
                continue;
            }

            int size = segment.SizeBytes;
            int start = segment.BaseOffset >= from ? 0 : segment.FindBatchPosition(from, size, out _);
            if (start < 0)
            {
                continue;
            }

            var scanner = new BatchHeaderScanner(segment, start, size, chunk);
            while (scanner.MoveNext())
            {
                _producerState.Replay(ref scanner);
            }
        }
    }

    private static LogSegment OpenSegment(PartitionLogOptions options, long baseOffset, long nextBase, bool isLast, bool needsRecovery, bool allowGaps, long nowMs, out bool truncated)
    {
        var config = options.Config;
        truncated = false;
        var segment = LogSegment.Open(options.Directory, baseOffset, config.SegmentIndexBytes, config.IndexIntervalBytes, nowMs, writableIndexes: isLast || needsRecovery);
        if (needsRecovery)
        {
            truncated = segment.Recover(allowGaps) > 0;

            // What recovery kept may still sit only in the page cache: make it durable before it counts as recovered.
            segment.Sync();
            if (!isLast && segment.NextOffset > nextBase)
            {
                // Overlapping segments: the next one cannot be trusted.
                truncated = true;
            }

            if (!isLast && !truncated)
            {
                segment.TrimIndexes();
            }

            return segment;
        }

        try
        {
            if (!segment.OffsetIndex.SanityCheck(out _) || !segment.TimeIndex.SanityCheck(out _))
            {
                throw new InvalidDataException("index failed its sanity check");
            }

            if (isLast)
            {
                segment.LoadAfterCleanShutdown();
            }
            else
            {
                segment.LoadClosed(nextBase);
            }

            return segment;
        }
        catch (InvalidDataException)
        {
            // A damaged or missing index: rebuild it from the log.
            segment.Dispose();
            segment = LogSegment.Open(options.Directory, baseOffset, config.SegmentIndexBytes, config.IndexIntervalBytes, nowMs, writableIndexes: true);
            truncated = segment.Recover(allowGaps) > 0;
            if (!isLast)
            {
                segment.TrimIndexes();
            }

            return segment;
        }
    }

    /// <summary>Lists segment base offsets (sorted) and removes leftovers of interrupted deletions and cleans.</summary>
    private static List<long> ScanDirectory(string directory)
    {
        var baseOffsets = new List<long>();
        foreach (string path in System.IO.Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(SegmentFileNames.DeletedSuffix, StringComparison.Ordinal) ||
                name.EndsWith(".tmp", StringComparison.Ordinal) ||
                name.EndsWith(SegmentFileNames.CleanedSuffix, StringComparison.Ordinal) ||
                name.EndsWith(SegmentFileNames.SwapSuffix, StringComparison.Ordinal))
            {
                File.Delete(path);
                continue;
            }

            if (SegmentFileNames.TryParseBaseOffset(name, SegmentFileNames.LogSuffix, out long baseOffset))
            {
                baseOffsets.Add(baseOffset);
            }
        }

        // Index files without their .log are orphans of an interrupted roll or deletion.
        foreach (string path in System.IO.Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if ((SegmentFileNames.TryParseBaseOffset(name, SegmentFileNames.IndexSuffix, out long offset) ||
                 SegmentFileNames.TryParseBaseOffset(name, SegmentFileNames.TimeIndexSuffix, out offset)) &&
                !baseOffsets.Contains(offset))
            {
                File.Delete(path);
            }
        }

        baseOffsets.Sort();
        return baseOffsets;
    }

    private static void DeleteSegmentsAfter(string directory, List<long> baseOffsets, int keptIndex)
    {
        for (int j = keptIndex + 1; j < baseOffsets.Count; j++)
        {
            File.Delete(SegmentFileNames.LogFile(directory, baseOffsets[j]));
            File.Delete(SegmentFileNames.IndexFile(directory, baseOffsets[j]));
            File.Delete(SegmentFileNames.TimeIndexFile(directory, baseOffsets[j]));
        }
    }
}
