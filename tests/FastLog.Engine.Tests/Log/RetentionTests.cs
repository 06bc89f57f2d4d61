using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// retention.ms, retention.bytes and the log start offset delete whole closed segments, never the
/// active one; deleted files are renamed at once and removed after file.delete.delay.ms (fake time).
/// </summary>
public sealed class RetentionTests : IDisposable
{
    private static readonly TopicPartition Tp = new("events", 0);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    private PartitionLog OpenLog(LogConfig config, bool clean = true) => PartitionLog.Open(new PartitionLogOptions
    {
        Directory = _dir.Combine(Tp.DirectoryName),
        TopicPartition = Tp,
        Config = config,
        TimeProvider = _time,
        HadCleanShutdown = clean,
    });

    private static void Fill(PartitionLog log, int batches, long timestampMs)
    {
        for (int i = 0; i < batches; i++)
        {
            log.Append(TestBatches.Create(5, 100, timestampMs, i), 0);
        }
    }

    [Fact]
    public void Retention_bytes_deletes_the_oldest_closed_segments_only()
    {
        var config = new LogConfig { SegmentBytes = 1000, RetentionBytes = 2500, RetentionMs = -1 };
        using var log = OpenLog(config);
        Fill(log, 20, _time.NowMs);
        int before = log.SegmentCount;
        long sizeBefore = log.SizeBytes;

        int deleted = log.DeleteRetainedSegments();

        Assert.True(deleted > 0);
        Assert.Equal(before - deleted, log.SegmentCount);
        Assert.True(log.SizeBytes <= config.RetentionBytes + 1000, $"{log.SizeBytes} bytes left of {sizeBefore}");
        Assert.Equal(log.Segments[0].BaseOffset, log.LogStartOffset);
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(0, 100, long.MaxValue).Status);
        Assert.Equal(0, log.DeleteRetainedSegments());
    }

    [Fact]
    public void Retention_ms_deletes_segments_whose_newest_record_is_too_old_but_keeps_the_active_one()
    {
        var config = new LogConfig { SegmentBytes = 1000, RetentionMs = 3_600_000 };
        using var log = OpenLog(config);
        Fill(log, 10, _time.NowMs - 7_200_000);
        Fill(log, 1, _time.NowMs);
        long logEnd = log.LogEndOffset;

        log.DeleteRetainedSegments();

        Assert.Equal(1, log.SegmentCount);
        Assert.Equal(logEnd, log.LogEndOffset);
        Assert.Equal(ReadStatus.Success, log.Read(log.LogStartOffset, 100, long.MaxValue).Status);
    }

    [Fact]
    public void Old_records_in_the_active_segment_are_kept()
    {
        using var log = OpenLog(new LogConfig { RetentionMs = 1000 });
        Fill(log, 3, _time.NowMs - 100_000);
        Assert.Equal(0, log.DeleteRetainedSegments());
        Assert.Equal(0, log.LogStartOffset);
    }

    [Fact]
    public void Advancing_the_log_start_offset_deletes_segments_wholly_below_it()
    {
        using var log = OpenLog(new LogConfig { SegmentBytes = 1000, RetentionMs = -1 });
        Fill(log, 20, _time.NowMs);
        log.UpdateHighWatermark(log.LogEndOffset);
        long target = log.Segments[3].BaseOffset + 2;

        Assert.True(log.AdvanceLogStartOffset(target));
        Assert.Equal(3, log.DeleteRetainedSegments());
        Assert.Equal(target, log.LogStartOffset);
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(target - 1, 100, long.MaxValue).Status);
        Assert.Equal(ReadStatus.Success, log.Read(target, 100, long.MaxValue).Status);
    }

    [Fact]
    public void Deleted_segments_stay_readable_through_held_slices_until_the_delay_passes()
    {
        var config = new LogConfig { SegmentBytes = 1000, RetentionBytes = 0, RetentionMs = -1, FileDeleteDelayMs = 60_000 };
        using var log = OpenLog(config);
        Fill(log, 10, _time.NowMs);
        var held = log.Read(0, 1000, long.MaxValue).Slice;
        string firstLog = Path.Combine(log.Directory, "00000000000000000000.log");

        log.DeleteRetainedSegments();

        Assert.False(File.Exists(firstLog));
        Assert.True(File.Exists(firstLog + ".deleted"));
        Assert.Equal(0, TestBatches.ReadTag(held.ToArray()));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(File.Exists(firstLog + ".deleted"));
        Assert.Empty(Directory.GetFiles(log.Directory, "*.deleted"));
    }

    [Fact]
    public void A_restart_finishes_deletions_the_previous_process_left_behind()
    {
        var config = new LogConfig { SegmentBytes = 1000, RetentionBytes = 0, RetentionMs = -1, FileDeleteDelayMs = 60_000 };
        var log = OpenLog(config);
        Fill(log, 10, _time.NowMs);
        log.DeleteRetainedSegments();
        long start = log.LogStartOffset;
        long end = log.LogEndOffset;

        // Simulate a crash: leave the *.deleted files and reopen without closing cleanly.
        string directory = log.Directory;
        Assert.NotEmpty(Directory.GetFiles(directory, "*.deleted"));
        log.Close();
        File.WriteAllBytes(Path.Combine(directory, "00000000000000000000.log.deleted"), [1, 2, 3]);

        using var reopened = OpenLog(config, clean: false);
        Assert.Empty(Directory.GetFiles(directory, "*.deleted"));
        Assert.Equal(start, reopened.LogStartOffset);
        Assert.Equal(end, reopened.LogEndOffset);
    }
}
