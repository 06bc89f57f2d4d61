using FastLog.Engine.Segments;

namespace FastLog.Engine.Log;

/// <summary>
/// The log's side of compaction: handing closed segments to the cleaner and swapping a cleaned
/// segment in, crash-safely.
/// </summary>
/// <remarks>
/// The cleaner writes a cleaned copy of segment X as an ordinary segment (X.log, X.index,
/// X.timeindex) inside the staging directory <see cref="CleanedDirectoryName"/>; nothing there is part
/// of the log. The swap then goes, under the append lock:
/// <list type="number">
/// <item>staging indexes → X.index.swap, X.timeindex.swap (not decided: recovery deletes them);</item>
/// <item>staging X.log → X.log.swap, directory fsync — the decision: from here recovery completes the swap;</item>
/// <item>old X.log/.index/.timeindex → *.deleted (readers keep their open handles);</item>
/// <item>X.index.swap, X.timeindex.swap, then X.log.swap → final names, directory fsync;</item>
/// <item>the new segment replaces the old one in the segment array (one volatile write).</item>
/// </list>
/// Recovery (<see cref="CompleteInterruptedSwaps"/>): X.log.swap present → drop whatever X.log and indexes
/// exist (old), rename the swap into place and recover the segment (indexes rebuilt); an index .swap
/// without X.log.swap, or anything in the staging directory → delete. So a crash before step 2
/// leaves the old segment, after it the new one; the old and the new hold the same latest value of
/// every key, so either is a correct log. Segments are swapped oldest first: a tombstone's later
/// segment is never swapped (dropping it) before the older records it shadows are gone.
/// </remarks>
public sealed partial class PartitionLog
{
    /// <summary>The staging directory for cleaned segments not yet swapped in.</summary>
    public const string CleanedDirectoryName = SegmentFileNames.CleanedSuffix;

    /// <summary>Where the cleaner writes cleaned segments of this log before the swap.</summary>
    public string CleanedDirectory => Path.Combine(Directory, CleanedDirectoryName);

    /// <summary>The log's time source (the cleaner's delete horizons use the same clock).</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>
    /// Swaps the cleaned copy of <paramref name="old"/> (already written, synced and closed in
    /// <see cref="CleanedDirectory"/> under the same base offset) into the log; an empty copy removes
    /// the segment instead (except the first, which anchors the log start). Returns false, leaving
    /// the log as it was, when the old segment is no longer a closed segment of the log (retention
    /// removed it, the log closed or went offline).
    /// </summary>
    /// <param name="crashHook">Tests only: called with each step's name; throwing there simulates a crash at that point.</param>
    internal bool ReplaceWithCleaned(LogSegment old, Action<string>? crashHook = null)
    {
        long baseOffset = old.BaseOffset;
        string staging = CleanedDirectory;
        var config = Config;
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_appendLock)
        {
            if (_offline || _closed)
            {
                return false;
            }

            var segments = _segments;
            int index = Array.IndexOf(segments, old);
            if (index < 0 || index == segments.Length - 1)
            {
                return false;
            }

            string stagedLog = SegmentFileNames.LogFile(staging, baseOffset);
            if (index > 0 && new FileInfo(stagedLog).Length == 0)
            {
                // Everything in it was superseded: drop the segment instead of keeping an empty file
                // (one swap per old segment would otherwise never shrink the segment count). Reads of
                // its offsets continue in the next segment; the .log rename is the atomic step.
                try
                {
                    old.MarkDeleted();
                    Storage.FileSync.SyncDirectory(Directory);
                    crashHook?.Invoke("empty-removed");
                }
                catch (IOException e)
                {
                    TakeOffline(e);
                    return false;
                }

                Volatile.Write(ref _segments, [.. segments[..index], .. segments[(index + 1)..]]);
                _rolledUnsynced.Remove(old);
            }
            else if (!SwapIn(old, index, segments, staging, config, nowMs, crashHook))
            {
                return false;
            }
        }

        ScheduleMarkedDeletion(old, config.FileDeleteDelayMs);
        return true;
    }

    /// <summary>Steps 1-5 of the swap for a non-empty cleaned copy. Caller holds the append lock.</summary>
    private bool SwapIn(LogSegment old, int index, LogSegment[] segments, string staging, LogConfig config, long nowMs, Action<string>? crashHook)
    {
        long baseOffset = old.BaseOffset;
        long nextBase = segments[index + 1].BaseOffset;
        string log = SegmentFileNames.LogFile(Directory, baseOffset);
        string offsetIndex = SegmentFileNames.IndexFile(Directory, baseOffset);
        string timeIndex = SegmentFileNames.TimeIndexFile(Directory, baseOffset);
        LogSegment replacement;
        try
        {
            File.Move(SegmentFileNames.IndexFile(staging, baseOffset), offsetIndex + SegmentFileNames.SwapSuffix, overwrite: true);
            File.Move(SegmentFileNames.TimeIndexFile(staging, baseOffset), timeIndex + SegmentFileNames.SwapSuffix, overwrite: true);
            crashHook?.Invoke("indexes-staged");
            File.Move(SegmentFileNames.LogFile(staging, baseOffset), log + SegmentFileNames.SwapSuffix, overwrite: true);
            Storage.FileSync.SyncDirectory(Directory);
            crashHook?.Invoke("swap-decided");
            old.MarkDeleted();
            crashHook?.Invoke("old-marked-deleted");
            File.Move(offsetIndex + SegmentFileNames.SwapSuffix, offsetIndex);
            File.Move(timeIndex + SegmentFileNames.SwapSuffix, timeIndex);
            crashHook?.Invoke("indexes-renamed");
            File.Move(log + SegmentFileNames.SwapSuffix, log);
            Storage.FileSync.SyncDirectory(Directory);
            crashHook?.Invoke("swap-renamed");
            replacement = LogSegment.Open(Directory, baseOffset, config.SegmentIndexBytes, config.IndexIntervalBytes, nowMs, writableIndexes: false);
            replacement.LoadClosed(nextBase);
        }
        catch (IOException e)
        {
            // A half-done swap on disk is finished (or undone) by the next open's recovery.
            TakeOffline(e);
            return false;
        }

        LogSegment[] updated = [.. segments];
        updated[index] = replacement;
        Volatile.Write(ref _segments, updated);
        _rolledUnsynced.Remove(old);
        return true;
    }

    /// <summary>
    /// At open, before segments are listed: finishes decided swaps (a <c>*.log.swap</c> file) and
    /// discards undecided ones (index swaps without it, the staging directory).
    /// </summary>
    /// <returns>The base offsets of segments that came from a completed swap: they must be recovered.</returns>
    private static HashSet<long> CompleteInterruptedSwaps(string directory)
    {
        var swapped = new HashSet<long>();
        string staging = Path.Combine(directory, CleanedDirectoryName);
        if (System.IO.Directory.Exists(staging))
        {
            System.IO.Directory.Delete(staging, recursive: true);
        }

        foreach (string path in System.IO.Directory.EnumerateFiles(directory, "*" + SegmentFileNames.LogSuffix + SegmentFileNames.SwapSuffix))
        {
            string name = Path.GetFileName(path);
            if (!SegmentFileNames.TryParseBaseOffset(name[..^SegmentFileNames.SwapSuffix.Length], SegmentFileNames.LogSuffix, out long baseOffset))
            {
                continue;
            }

            // The old segment's files (and the new indexes, which recovery rebuilds anyway) go.
            File.Delete(SegmentFileNames.IndexFile(directory, baseOffset));
            File.Delete(SegmentFileNames.TimeIndexFile(directory, baseOffset));
            File.Move(path, SegmentFileNames.LogFile(directory, baseOffset), overwrite: true);
            swapped.Add(baseOffset);
        }

        foreach (string path in System.IO.Directory.EnumerateFiles(directory, "*" + SegmentFileNames.SwapSuffix))
        {
            File.Delete(path);
        }

        if (swapped.Count > 0)
        {
            Storage.FileSync.SyncDirectory(directory);
        }

        return swapped;
    }

    /// <summary>Closes and removes a segment already renamed to <c>*.deleted</c>, after the delay.</summary>
    private void ScheduleMarkedDeletion(LogSegment segment, long delayMs)
    {
        if (delayMs <= 0)
        {
            DeleteNow(segment);
            return;
        }

        lock (_pendingDeletions)
        {
            var timer = _time.CreateTimer(static state => ((PendingDeletionState)state!).Run(), new PendingDeletionState(this, segment), TimeSpan.FromMilliseconds(delayMs), Timeout.InfiniteTimeSpan);
            _pendingDeletions.Add(new PendingDeletion(segment, timer));
        }
    }
}
