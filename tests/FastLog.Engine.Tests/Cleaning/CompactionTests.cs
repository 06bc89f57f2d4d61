using FastLog.Engine.Cleaning;
using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;
using FastLog.Format;

namespace FastLog.Engine.Tests.Cleaning;

/// <summary>
/// Compaction on fake time: latest record per key, tombstones kept until delete.retention.ms past
/// their first cleaning, active segment untouched, min.cleanable.dirty.ratio honoured, offsets preserved.
/// </summary>
public sealed class CompactionTests : IDisposable
{
    private static readonly TopicPartition Tp = new("table", 0);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    internal static LogConfig Compacted(CleanupPolicy policy = CleanupPolicy.Compact) => new()
    {
        CleanupPolicy = policy,
        SegmentBytes = 1200,
        DeleteRetentionMs = 60_000,
        MinCleanableDirtyRatio = 0.5,
        FileDeleteDelayMs = 0,
        IndexIntervalBytes = 100,
    };

    private PartitionLog OpenLog(LogConfig config, bool clean = true) => PartitionLog.Open(new PartitionLogOptions
    {
        Directory = _dir.Combine(Tp.DirectoryName),
        TopicPartition = Tp,
        Config = config,
        TimeProvider = _time,
        HadCleanShutdown = clean,
    });

    /// <summary>20 keys written 5 times each (one batch of 4 records per round and key group), k0..k4 deleted at the end, then an active segment tail.</summary>
    internal static void WriteTable(PartitionLog log, long nowMs, int rounds = 5)
    {
        for (int round = 0; round < rounds; round++)
        {
            for (int group = 0; group < 5; group++)
            {
                var records = new (string, string?)[4];
                for (int j = 0; j < 4; j++)
                {
                    int key = group * 4 + j;
                    records[j] = ($"k{key}", $"v{key}-r{round}");
                }

                KeyedLog.Append(log, KeyedLog.Batch(nowMs + round, records));
            }
        }

        KeyedLog.Append(log, KeyedLog.Batch(nowMs, ("k0", null), ("k1", null), ("k2", null), ("k3", null), ("k4", null)));
    }

    private static void ForceRoll(PartitionLog log, long nowMs)
    {
        // A batch larger than what is left in the segment rolls it; this one then stays in the active segment.
        int before = log.SegmentCount;
        while (log.SegmentCount == before)
        {
            KeyedLog.Append(log, KeyedLog.Batch(nowMs, ("tail", new string('t', 300))));
        }
    }

    [Fact]
    public void Overwrites_and_tombstones_compact_to_one_record_per_live_key()
    {
        using var log = OpenLog(Compacted());
        WriteTable(log, _time.NowMs);
        ForceRoll(log, _time.NowMs);
        var before = KeyedLog.ReadAll(log);
        var expected = KeyedLog.Latest(before);
        var active = log.Segments[^1];
        byte[] activeBytes = File.ReadAllBytes(active.LogPath);
        long endOffset = log.LogEndOffset;
        int segmentsBefore = log.SegmentCount;

        using var cleaner = new LogCleaner(_time);
        var result = cleaner.Clean(log);

        // Segments whose records were all superseded are removed, not kept empty.
        Assert.True(log.SegmentCount < segmentsBefore, $"{log.SegmentCount} segments of {segmentsBefore}");

        Assert.True(result.Cleaned);
        Assert.True(result.SegmentsSwapped > 0);
        var after = KeyedLog.ReadAll(log);
        Assert.Equal(expected, KeyedLog.Latest(after));
        Assert.Equal(after.Count, after.Select(r => r.Key).Distinct().Count() + CountTail(after) - 1);

        // Tombstones survive the first cleaning (their horizon starts now)...
        Assert.Equal(5, after.Count(r => r.Value is null));

        // ...the active segment is the same object with the same bytes, and offsets are unchanged.
        Assert.Same(active, log.Segments[^1]);
        Assert.Equal(activeBytes, File.ReadAllBytes(active.LogPath));
        Assert.Equal(endOffset, log.LogEndOffset);
        var originalByOffset = before.ToDictionary(r => r.Offset);
        Assert.All(after, r => Assert.Equal(originalByOffset[r.Offset], r));

        // Before delete.retention.ms nothing is due; after it, the tombstones go (no new dirty data needed).
        _time.Advance(TimeSpan.FromMilliseconds(30_000));
        Assert.False(cleaner.Clean(log).Cleaned);
        _time.Advance(TimeSpan.FromMilliseconds(30_001));
        Assert.True(cleaner.Clean(log).Cleaned);
        var final = KeyedLog.ReadAll(log);
        Assert.DoesNotContain(final, r => r.Value is null);
        var live = expected.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(live, KeyedLog.Latest(final));
        Assert.Equal(live.Count + CountTail(final) - 1, final.Count);
    }

    private static int CountTail(List<KeyedLog.Rec> records) => records.Count(r => r.Key == "tail");

    [Fact]
    public void Nothing_is_cleaned_below_the_dirty_ratio_and_the_active_segment_alone_is_never_cleaned()
    {
        using var log = OpenLog(Compacted() with { MinCleanableDirtyRatio = 0.9 });
        using var cleaner = new LogCleaner(_time);

        // Only an active segment: nothing cleanable.
        KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, ("a", "1"), ("a", "2")));
        Assert.False(cleaner.Clean(log).Cleaned);

        WriteTable(log, _time.NowMs);
        ForceRoll(log, _time.NowMs);
        Assert.True(cleaner.Clean(log).Cleaned);
        var afterFirst = KeyedLog.ReadAll(log);

        // A little new dirty data: ratio far below 0.9, so no pass.
        KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, ("k10", "new")));
        ForceRoll(log, _time.NowMs);
        double ratio = LogCleaner.DirtyRatio(log);
        Assert.InRange(ratio, 0.0001, 0.9);
        var skipped = cleaner.Clean(log);
        Assert.False(skipped.Cleaned);
        Assert.Equal(ratio, skipped.DirtyRatio);
        Assert.Equal(afterFirst, KeyedLog.ReadAll(log).Where(r => r.Offset <= afterFirst[^1].Offset).ToList());

        // Lowering the ratio lets it run; k10's old value goes.
        log.Config = log.Config with { MinCleanableDirtyRatio = 0.0 };
        Assert.True(cleaner.Clean(log).Cleaned);
        var records = KeyedLog.ReadAll(log);
        Assert.Single(records, r => r.Key == "k10");
        Assert.Equal("new", records.Single(r => r.Key == "k10").Value);
    }

    [Fact]
    public void Reading_an_offset_removed_by_compaction_returns_the_next_surviving_batch()
    {
        using var log = OpenLog(Compacted());
        WriteTable(log, _time.NowMs);
        ForceRoll(log, _time.NowMs);
        using var cleaner = new LogCleaner(_time);
        Assert.True(cleaner.Clean(log).Cleaned);
        var survivors = KeyedLog.ReadAll(log);
        var offsets = survivors.Select(r => r.Offset).ToHashSet();

        long gap = Enumerable.Range(0, (int)survivors[^1].Offset).First(o => !offsets.Contains(o));
        var result = log.Read(gap, 1 << 16, long.MaxValue);
        Assert.Equal(ReadStatus.Success, result.Status);
        var buffer = new byte[result.Slice.LengthBytes];
        result.Slice.CopyTo(buffer);
        var batches = TestBatches.Split(buffer);
        Assert.NotEmpty(batches);
        var header = new RecordBatchHeader(batches[0]);
        Assert.True(header.LastOffset >= gap);
        long nextSurvivor = survivors.First(r => r.Offset > gap).Offset;
        var first = new RecordBatchReader(batches[0], null, int.MaxValue).GetRecords();
        long firstAtOrAfter = -1;
        while (first.MoveNext())
        {
            if (first.Current.Offset >= gap)
            {
                firstAtOrAfter = first.Current.Offset;
                break;
            }
        }

        Assert.Equal(nextSurvivor, firstAtOrAfter);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_cleaned_log_reopens_with_the_same_contents(bool cleanShutdown)
    {
        List<KeyedLog.Rec> cleaned;
        long end;
        var log = OpenLog(Compacted());
        WriteTable(log, _time.NowMs);
        ForceRoll(log, _time.NowMs);
        using (var cleaner = new LogCleaner(_time))
        {
            Assert.True(cleaner.Clean(log).Cleaned);
        }

        cleaned = KeyedLog.ReadAll(log);
        end = log.LogEndOffset;
        if (cleanShutdown)
        {
            log.Close();
        }
        else
        {
            // No close: the next open walks every segment (recovery point 0), cleaned ones with gaps allowed.
            log.Flush();
        }

        using var reopened = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _dir.Combine(Tp.DirectoryName),
            TopicPartition = Tp,
            Config = Compacted(),
            TimeProvider = _time,
            HadCleanShutdown = cleanShutdown,
            RecoveryPointOffset = 0,
        });
        Assert.Equal(end, reopened.LogEndOffset);
        Assert.Equal(cleaned, KeyedLog.ReadAll(reopened));
        if (!cleanShutdown)
        {
            GC.KeepAlive(log);
        }
    }

    [Fact]
    public void Compressed_batches_keep_their_codec_offset_range_and_crc()
    {
        using var log = OpenLog(Compacted() with { SegmentBytes = 600 });
        for (int round = 0; round < 6; round++)
        {
            KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, CompressionCodec.Lz4, producerId: -1, ("a", $"a{round}"), ("b", $"b{round}"), ("c", round == 5 ? "c-last" : null)));
        }

        ForceRoll(log, _time.NowMs);
        var expected = KeyedLog.Latest(KeyedLog.ReadAll(log));
        using var cleaner = new LogCleaner(_time);
        Assert.True(cleaner.Clean(log).Cleaned);
        Assert.Equal(expected, KeyedLog.Latest(KeyedLog.ReadAll(log)));
        foreach (var segment in log.Segments.Take(log.SegmentCount - 1))
        {
            var bytes = File.ReadAllBytes(segment.LogPath);
            foreach (var batch in TestBatches.Split(bytes))
            {
                var header = new RecordBatchHeader(batch);
                if (header.LastOffsetDelta == 0)
                {
                    continue; // a tail batch of ForceRoll
                }

                Assert.Equal(CompressionCodec.Lz4, header.Compression);
                Assert.Equal(2, header.LastOffsetDelta);
                Assert.True(header.RecordsCount <= 3);
                Assert.Equal(RecordBatchHeader.ComputeCrc(batch), header.Crc);
            }
        }
    }

    [Fact]
    public void Compact_only_logs_ignore_retention_ms_and_compact_delete_logs_apply_it()
    {
        foreach (var policy in new[] { CleanupPolicy.Compact, CleanupPolicy.CompactAndDelete })
        {
            using var dir = new TempDirectory();
            using var log = PartitionLog.Open(new PartitionLogOptions
            {
                Directory = dir.Combine(Tp.DirectoryName),
                TopicPartition = Tp,
                Config = Compacted(policy) with { RetentionMs = 1000 },
                TimeProvider = _time,
            });
            WriteTable(log, _time.NowMs - 10_000);
            ForceRoll(log, _time.NowMs);
            int deleted = log.DeleteRetainedSegments();
            if (policy == CleanupPolicy.Compact)
            {
                Assert.Equal(0, deleted);
            }
            else
            {
                Assert.True(deleted > 0);
            }
        }
    }

    [Fact]
    public void Records_without_a_key_are_dropped_like_kafkas_cleaner_does()
    {
        using var log = OpenLog(Compacted());
        KeyedLog.Append(log, TestBatches.Create(3, 50, _time.NowMs, tag: 7));
        WriteTable(log, _time.NowMs);
        ForceRoll(log, _time.NowMs);
        using var cleaner = new LogCleaner(_time);
        Assert.True(cleaner.Clean(log).Cleaned);
        Assert.DoesNotContain(KeyedLog.ReadAll(log), r => r.Key is null);
    }

    [Fact]
    public void The_background_service_cleans_on_fake_time_and_runs_retention_for_compact_delete()
    {
        string logDir = _dir.Combine("logs");
        using var manager = LogManager.Open(new LogManagerOptions { LogDirs = [logDir], TimeProvider = _time, DefaultConfig = Compacted() });
        var log = manager.GetOrCreateLog(Tp);
        var plain = manager.GetOrCreateLog(new TopicPartition("plain", 0), new LogConfig { SegmentBytes = 1200 });
        WriteTable(log, _time.NowMs);
        ForceRoll(log, _time.NowMs);
        WriteTable(plain, _time.NowMs);
        ForceRoll(plain, _time.NowMs);
        var expected = KeyedLog.Latest(KeyedLog.ReadAll(log));
        int plainCount = KeyedLog.ReadAll(plain).Count;

        using var service = new LogCleanerService(manager, _time, TimeSpan.FromSeconds(15));
        service.Start();
        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.Equal(0, service.Passes);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, service.Passes);
        Assert.Null(service.LastError);
        var records = KeyedLog.ReadAll(log);
        Assert.Equal(expected, KeyedLog.Latest(records));
        Assert.Equal(records.Count, records.Select(r => r.Key).Distinct().Count() + CountTail(records) - 1);

        // A log with cleanup.policy=delete is left alone.
        Assert.Equal(plainCount, KeyedLog.ReadAll(plain).Count);

        // The timer re-arms: tombstones go at the first pass after delete.retention.ms.
        _time.Advance(TimeSpan.FromSeconds(75));
        Assert.True(service.Passes >= 5);
        Assert.DoesNotContain(KeyedLog.ReadAll(log), r => r.Value is null);
    }

    [Fact]
    public void An_idempotent_producer_continues_its_sequence_after_its_batches_were_compacted_away_and_a_restart()
    {
        var log = OpenLog(Compacted());
        for (int sequence = 0; sequence < 10; sequence++)
        {
            KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, CompressionCodec.None, producerId: 4242, baseSequence: sequence, ("p", $"p{sequence}")));
        }

        // Another writer overwrites the key in later closed segments: all of the producer's batches go.
        for (int i = 0; i < 10; i++)
        {
            KeyedLog.Append(log, KeyedLog.Batch(_time.NowMs, ("p", $"other{i}"), ("pad", new string('x', 200))));
        }

        ForceRoll(log, _time.NowMs);
        using (var cleaner = new LogCleaner(_time))
        {
            Assert.True(cleaner.Clean(log).Cleaned);
        }

        Assert.DoesNotContain(KeyedLog.ReadAll(log), r => r.Value is not null && r.Value.StartsWith('p') && r.Key == "p");
        log.Flush();

        // Unclean restart, every segment walked: producer state comes from the roll-time snapshots.
        using var reopened = OpenLog(Compacted(), clean: false);
        var next = reopened.Append(KeyedLog.Batch(_time.NowMs, CompressionCodec.None, producerId: 4242, baseSequence: 10, ("p", "p10")), 0);
        Assert.Equal(AppendStatus.Success, next.Status);
        GC.KeepAlive(log);
    }
}
