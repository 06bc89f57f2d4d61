using FastLog.Engine.Log;
using FastLog.Engine.Segments;
using FastLog.Format;

namespace FastLog.Engine.Cleaning;

/// <summary>
/// Compacts a partition log (cleanup.policy containing compact): keeps the latest record of every
/// key, and drops tombstones once delete.retention.ms has passed since their batch was first cleaned.
/// </summary>
/// <remarks>
/// <para>Sections. Only closed segments wholly below the high watermark are cleanable; the active
/// segment is never read or touched. The cleaner checkpoint (<see cref="CleanerCheckpoint"/>) splits them into a
/// clean prefix and a dirty rest. A pass runs when dirty bytes / cleanable bytes reach
/// min.cleanable.dirty.ratio, or when a recorded tombstone delete horizon has come due.</para>
/// <para>A pass: build the <see cref="KeyOffsetMap"/> over the dirty segments, oldest first, stopping at a
/// segment boundary if the map fills (the rest waits for the next pass); then rewrite every cleanable
/// segment below the map's end, oldest first, one cleaned segment per old one (same base offset),
/// and swap each in with <see cref="PartitionLog.ReplaceWithCleaned"/>. A segment from which nothing
/// would change is not rewritten.</para>
/// <para>Which records survive: the latest of each key (a record whose key maps to a later offset goes),
/// tombstones until their batch's delete horizon, every record of transactional and control batches
/// (this engine does not track aborted transactions, so it never drops or lets them shadow anything),
/// and no record without a key: a compacted topic has no meaning for them and Kafka's cleaner discards
/// them as invalid too (Kafka also rejects them at produce). Batches left empty are dropped; the
/// producer-state snapshots taken at every roll keep idempotent producers' state across that.</para>
/// <para>Not thread-safe per log: one cleaner (the <see cref="LogCleanerService"/>) cleans a given log at a time.</para>
/// </remarks>
public sealed class LogCleaner : IDisposable
{
    /// <summary>Kafka's log.cleaner.dedupe.buffer.size default is 128 MiB over all threads; one thread here.</summary>
    public const long DefaultMapMemoryBytes = 64L * 1024 * 1024;

    /// <summary>Bound on a compressed batch's inflated records (decompression-bomb guard).</summary>
    private const int MaxDecompressedBytes = 256 * 1024 * 1024;

    private readonly TimeProvider _time;
    private readonly KeyOffsetMap _map;
    private readonly PooledBufferWriter _decompressed = new(64 * 1024);
    private readonly CleanedBatchWriter _writer = new();
    private bool[] _retain = new bool[1024];

    public LogCleaner(TimeProvider time, long mapMemoryBytes = DefaultMapMemoryBytes)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _map = new KeyOffsetMap(mapMemoryBytes);
    }

    /// <summary>Tests only: called with the name of each swap step; throwing there simulates a crash at that point.</summary>
    internal Action<string>? CrashHook { get; set; }

    /// <summary>Dirty bytes / cleanable bytes (0 when nothing is cleanable).</summary>
    public static double DirtyRatio(PartitionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var sections = Sections.Of(log, CleanerCheckpoint.Read(log.Directory));
        return sections.Ratio;
    }

    /// <summary>Runs one pass over the log if it is compacted and due. Safe to call while the log takes appends and reads.</summary>
    public CleanResult Clean(PartitionLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var config = log.Config;
        if (!config.IsCompacted || log.IsOffline)
        {
            return CleanResult.Skipped(0);
        }

        var checkpoint = CleanerCheckpoint.Read(log.Directory);
        var sections = Sections.Of(log, checkpoint);
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        bool horizonDue = checkpoint.EarliestDeleteHorizonMs <= nowMs;
        if (sections.CleanableCount == 0 || (!horizonDue && (sections.DirtyBytes == 0 || sections.Ratio < config.MinCleanableDirtyRatio)))
        {
            return CleanResult.Skipped(sections.Ratio);
        }

        var segments = sections.Segments;
        long bytesRead = 0;

        // The map over the dirty section, stopping at a segment boundary when it fills.
        _map.Clear();
        long mapEnd = sections.FirstDirtyOffset;
        for (int i = sections.FirstDirtyIndex; i < sections.CleanableCount; i++)
        {
            if (!AddToMap(segments[i], ref bytesRead))
            {
                break;
            }

            mapEnd = segments[i + 1].BaseOffset;
        }

        if (mapEnd <= sections.FirstDirtyOffset && !horizonDue)
        {
            throw new InvalidOperationException($"{log}: the key map ({_map.Capacity} slots) cannot hold one dirty segment; raise the cleaner's memory");
        }

        // Segments wholly below the map's end are rewritten; tell recovery first that they may have gaps.
        int toClean = 0;
        while (toClean < sections.CleanableCount && segments[toClean + 1].BaseOffset <= mapEnd)
        {
            toClean++;
        }

        if (checkpoint.GapsBelowOffset < mapEnd)
        {
            checkpoint = checkpoint with { GapsBelowOffset = mapEnd };
            checkpoint.Write(log.Directory);
        }

        long earliestHorizon = CleanerCheckpoint.NoHorizon;
        long bytesWritten = 0;
        long removed = 0;
        int swapped = 0;
        string staging = log.CleanedDirectory;
        DeleteStaging(staging);
        Directory.CreateDirectory(staging);

        // No finally: after a failure the staging directory stays as a crash would leave it; the next
        // pass or open removes it.
        for (int i = 0; i < toClean; i++)
        {
            var outcome = CleanSegment(log, segments[i], nowMs, config, ref earliestHorizon);
            bytesRead += outcome.BytesRead;
            if (!outcome.Changed)
            {
                continue;
            }

            if (!log.ReplaceWithCleaned(segments[i], CrashHook))
            {
                // Retention or a close got there first: the rest of this pass is moot.
                var aborted = checkpoint with { EarliestDeleteHorizonMs = Math.Min(checkpoint.EarliestDeleteHorizonMs, earliestHorizon) };
                aborted.Write(log.Directory);
                DeleteStaging(staging);
                return new CleanResult(false, sections.Ratio, swapped, bytesRead, bytesWritten, removed);
            }

            swapped++;
            bytesWritten += outcome.BytesWritten;
            removed += outcome.RecordsRemoved;
        }

        DeleteStaging(staging);

        var done = new CleanerCheckpoint(Math.Max(checkpoint.CleanedToOffset, mapEnd), checkpoint.GapsBelowOffset, earliestHorizon);
        done.Write(log.Directory);
        return new CleanResult(true, sections.Ratio, swapped, bytesRead, bytesWritten, removed);
    }

    private static void DeleteStaging(string staging)
    {
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    public void Dispose()
    {
        _decompressed.Dispose();
        _writer.Dispose();
    }

    /// <summary>Puts every keyed record of the segment's ordinary batches into the map; false when the map filled first.</summary>
    private bool AddToMap(LogSegment segment, ref long bytesRead)
    {
        using var reader = new SegmentBatchReader(segment.Handle, segment.SizeBytes);
        while (reader.TryRead(out var batch))
        {
            var header = new RecordBatchHeader(batch);
            if (header.IsControl || header.IsTransactional)
            {
                continue;
            }

            var records = new RecordBatchReader(batch, _decompressed, MaxDecompressedBytes).GetRecords();
            while (records.MoveNext())
            {
                var record = records.Current;
                if (!record.IsKeyNull && !_map.Put(record.Key, record.Offset))
                {
                    bytesRead += reader.BytesRead;
                    return false;
                }
            }
        }

        bytesRead += reader.BytesRead;
        return true;
    }

    /// <summary>Writes the cleaned copy of <paramref name="segment"/> into the staging directory (synced and closed).</summary>
    private SegmentOutcome CleanSegment(PartitionLog log, LogSegment segment, long nowMs, LogConfig config, ref long earliestHorizon)
    {
        string staging = log.CleanedDirectory;
        long bytesWritten = 0;
        long removed = 0;
        bool changed = false;
        long horizonForNew = nowMs + config.DeleteRetentionMs;
        using var reader = new SegmentBatchReader(segment.Handle, segment.SizeBytes);
        using (var cleaned = LogSegment.Create(staging, segment.BaseOffset, config.SegmentIndexBytes, config.IndexIntervalBytes, nowMs))
        {
            while (reader.TryRead(out var batch))
            {
                var header = new RecordBatchHeader(batch);
                if (header.IsControl || header.IsTransactional)
                {
                    cleaned.Append(batch, header.LastOffset, header.MaxTimestamp);
                    bytesWritten += batch.Length;
                    continue;
                }

                bool hadHorizon = (header.Attributes & BatchAttributes.DeleteHorizon) != 0;
                long horizon = hadHorizon ? header.BaseTimestamp : -1;
                var batchReader = new RecordBatchReader(batch, _decompressed, MaxDecompressedBytes);
                int count = header.RecordsCount;
                if (_retain.Length < count)
                {
                    _retain = new bool[Math.Max(count, _retain.Length * 2)];
                }

                // First pass: decide. Second pass (only if something changes): re-encode the survivors.
                int kept = 0;
                bool keptTombstone = false;
                long firstKeptTimestamp = 0;
                var records = batchReader.GetRecords();
                int index = 0;
                while (records.MoveNext())
                {
                    var record = records.Current;
                    bool retain = ShouldRetain(record, hadHorizon, horizon, nowMs);
                    _retain[index++] = retain;
                    if (retain)
                    {
                        if (kept == 0)
                        {
                            firstKeptTimestamp = record.Timestamp;
                        }

                        kept++;
                        keptTombstone |= record.IsValueNull;
                    }
                }

                removed += count - kept;
                if (kept == 0)
                {
                    changed = true;
                    continue;
                }

                long newHorizon = keptTombstone ? (hadHorizon ? horizon : horizonForNew) : -1;
                if (newHorizon >= 0)
                {
                    earliestHorizon = Math.Min(earliestHorizon, newHorizon);
                }

                if (kept == count && (newHorizon >= 0) == hadHorizon)
                {
                    cleaned.Append(batch, header.LastOffset, header.MaxTimestamp);
                    bytesWritten += batch.Length;
                    continue;
                }

                changed = true;
                _writer.Begin(newHorizon >= 0 ? newHorizon : (header.IsLogAppendTime ? header.MaxTimestamp : firstKeptTimestamp));
                records = batchReader.GetRecords();
                index = 0;
                while (records.MoveNext())
                {
                    if (_retain[index++])
                    {
                        _writer.Add(records.Current);
                    }
                }

                var rewritten = _writer.Finish(header, newHorizon, out long maxTimestamp);
                cleaned.Append(rewritten, header.LastOffset, maxTimestamp);
                bytesWritten += rewritten.Length;
            }

            if (changed)
            {
                // Durable before the swap decision: after it, recovery trusts this file (and a clean
                // open trusts its indexes) in place of the old segment.
                cleaned.TrimIndexes();
                cleaned.OffsetIndex.Flush();
                cleaned.TimeIndex.Flush();
                cleaned.Sync();
            }
        }

        if (!changed)
        {
            File.Delete(SegmentFileNames.LogFile(staging, segment.BaseOffset));
            File.Delete(SegmentFileNames.IndexFile(staging, segment.BaseOffset));
            File.Delete(SegmentFileNames.TimeIndexFile(staging, segment.BaseOffset));
        }

        return new SegmentOutcome(changed, reader.BytesRead, bytesWritten, removed);
    }

    private bool ShouldRetain(in RecordView record, bool hadHorizon, long horizon, long nowMs)
    {
        if (record.IsKeyNull)
        {
            return false;
        }

        long latest = _map.Get(record.Key);
        if (latest > record.Offset)
        {
            return false;
        }

        // A tombstone goes once its batch's horizon (set when it was first cleaned) has passed.
        return !(record.IsValueNull && hadHorizon && nowMs >= horizon);
    }

    private readonly record struct SegmentOutcome(bool Changed, long BytesRead, long BytesWritten, long RecordsRemoved);

    /// <summary>The clean and dirty parts of a log's cleanable (closed, below the high watermark) segments.</summary>
    private readonly record struct Sections(LogSegment[] Segments, int CleanableCount, int FirstDirtyIndex, long FirstDirtyOffset, long DirtyBytes, long CleanBytes)
    {
        public double Ratio => DirtyBytes + CleanBytes == 0 ? 0 : (double)DirtyBytes / (DirtyBytes + CleanBytes);

        public static Sections Of(PartitionLog log, CleanerCheckpoint checkpoint)
        {
            var segments = log.Segments.ToArray();
            long highWatermark = log.HighWatermark;
            int cleanable = 0;
            while (cleanable < segments.Length - 1 && segments[cleanable + 1].BaseOffset <= highWatermark)
            {
                cleanable++;
            }

            long firstDirty = Math.Max(checkpoint.CleanedToOffset, log.LogStartOffset);
            int firstDirtyIndex = cleanable;
            long dirty = 0;
            long clean = 0;
            for (int i = 0; i < cleanable; i++)
            {
                if (segments[i + 1].BaseOffset <= firstDirty)
                {
                    clean += segments[i].SizeBytes;
                }
                else
                {
                    firstDirtyIndex = Math.Min(firstDirtyIndex, i);
                    dirty += segments[i].SizeBytes;
                }
            }

            long firstDirtyOffset = firstDirtyIndex < segments.Length ? segments[firstDirtyIndex].BaseOffset : firstDirty;
            return new Sections(segments, cleanable, firstDirtyIndex, firstDirtyOffset, dirty, clean);
        }
    }
}
