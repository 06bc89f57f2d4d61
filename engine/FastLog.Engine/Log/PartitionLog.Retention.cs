using FastLog.Engine.Segments;

namespace FastLog.Engine.Log;

/// <summary>Retention: whole closed segments are deleted by time, by size, or below the log start offset.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Deletes the oldest closed segments that retention.ms, retention.bytes or the log start offset
    /// allow (only a prefix: a segment is kept if an older one is kept). The active segment is never
    /// deleted. Moves the log start offset to the first remaining segment when it passes it.
    /// </summary>
    /// <returns>How many segments were deleted.</returns>
    public int DeleteRetainedSegments()
    {
        var config = Config;
        long nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        LogSegment[] doomed;
        lock (_appendLock)
        {
            if (_offline || _closed)
            {
                return 0;
            }

            _producerState.RemoveExpired(nowMs, config.ProducerIdExpirationMs);
            var segments = _segments;
            long remainingBytes = 0;
            foreach (var segment in segments)
            {
                remainingBytes += segment.SizeBytes;
            }

            int count = 0;
            for (int i = 0; i < segments.Length - 1; i++)
            {
                var segment = segments[i];
                if (!IsDeletable(segment, segments[i + 1].BaseOffset, remainingBytes, nowMs, config))
                {
                    break;
                }

                remainingBytes -= segment.SizeBytes;
                count++;
            }

            if (count == 0)
            {
                return 0;
            }

            doomed = segments[..count];
            Volatile.Write(ref _segments, segments[count..]);
            long newStart = _segments[0].BaseOffset;
            if (newStart > _logStartOffset)
            {
                Volatile.Write(ref _logStartOffset, newStart);
                if (_highWatermark < newStart)
                {
                    Volatile.Write(ref _highWatermark, Math.Min(newStart, _logEndOffset));
                }
            }

            _rolledUnsynced.RemoveAll(s => Array.IndexOf(doomed, s) >= 0);
        }

        foreach (var segment in doomed)
        {
            ScheduleDeletion(segment, config.FileDeleteDelayMs);
        }

        return doomed.Length;
    }

    private bool IsDeletable(LogSegment segment, long nextSegmentBaseOffset, long logBytes, long nowMs, LogConfig config)
    {
        if (nextSegmentBaseOffset <= _logStartOffset)
        {
            return true;
        }

        if (!config.IsDeleteRetained)
        {
            // cleanup.policy=compact: only the log start offset removes segments; the cleaner does the rest.
            return false;
        }

        if (config.RetentionBytes >= 0 && logBytes - segment.SizeBytes >= config.RetentionBytes)
        {
            return true;
        }

        if (config.RetentionMs >= 0)
        {
            // A segment without timestamps ages from its creation (open) time.
            long newestMs = segment.MaxTimestampMs >= 0 ? segment.MaxTimestampMs : segment.CreatedAtMs;
            if (nowMs - newestMs > config.RetentionMs)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Renames the files to <c>*.deleted</c> now (a restart finishes the job) and closes and removes them
    /// after file.delete.delay.ms, so in-flight readers of the segment keep a valid handle.
    /// </summary>
    private void ScheduleDeletion(LogSegment segment, long delayMs)
    {
        try
        {
            segment.MarkDeleted();
        }
        catch (IOException e)
        {
            TakeOffline(e);
            return;
        }

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

    private void CompleteDeletion(LogSegment segment)
    {
        lock (_pendingDeletions)
        {
            int index = _pendingDeletions.FindIndex(p => p.Segment == segment);
            if (index < 0)
            {
                return;
            }

            _pendingDeletions[index].Timer.Dispose();
            _pendingDeletions.RemoveAt(index);
        }

        DeleteNow(segment);
    }

    /// <summary>Finishes every scheduled deletion at once (on close).</summary>
    private void CompletePendingDeletions()
    {
        PendingDeletion[] pending;
        lock (_pendingDeletions)
        {
            pending = [.. _pendingDeletions];
            _pendingDeletions.Clear();
        }

        foreach (var deletion in pending)
        {
            deletion.Timer.Dispose();
            DeleteNow(deletion.Segment);
        }
    }

    private void DeleteNow(LogSegment segment)
    {
        segment.Dispose();
        try
        {
            segment.DeleteMarkedFiles();
        }
        catch (IOException e)
        {
            TakeOffline(e);
        }
    }

    private sealed class PendingDeletionState(PartitionLog log, LogSegment segment)
    {
        public void Run() => log.CompleteDeletion(segment);
    }
}
