using System.Buffers.Binary;
using FastLog.Engine.Log;
using FastLog.Engine.Segments;
using FastLog.Engine.Tests.Support;
using FastLog.Format;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// Append, read, roll and offsets of one partition log on real files, checked against what was
/// appended (an in-memory list of batches is the oracle).
/// </summary>
public sealed class PartitionLogTests : IDisposable
{
    private static readonly TopicPartition Tp = new("orders", 3);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    internal PartitionLog OpenLog(LogConfig? config = null, bool clean = true, long recoveryPoint = 0, long logStartOffset = 0) =>
        PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _dir.Combine(Tp.DirectoryName),
            TopicPartition = Tp,
            Config = config ?? new LogConfig(),
            TimeProvider = _time,
            HadCleanShutdown = clean,
            RecoveryPointOffset = recoveryPoint,
            LogStartOffset = logStartOffset,
        });

    [Fact]
    public void Appends_get_consecutive_offsets_stamped_in_place_with_the_crc_untouched()
    {
        using var log = OpenLog();
        var first = TestBatches.Create(5, 20, _time.NowMs, tag: 1);
        var second = TestBatches.Create(3, 20, _time.NowMs, tag: 2);
        uint crcBefore = new RecordBatchHeader(second).Crc;

        var a = log.Append(first, leaderEpoch: 7);
        var b = log.Append(second, leaderEpoch: 7);

        Assert.Equal((0L, 4L), (a.BaseOffset, a.LastOffset));
        Assert.Equal((5L, 7L), (b.BaseOffset, b.LastOffset));
        Assert.Equal(8, log.LogEndOffset);
        var stored = TestBatches.Split(log.Read(5, 1 << 20, long.MaxValue).Slice.ToArray());
        var header = new RecordBatchHeader(stored[0]);
        Assert.Equal(5, header.BaseOffset);
        Assert.Equal(7, header.PartitionLeaderEpoch);
        Assert.Equal(crcBefore, header.Crc);
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(stored[0], int.MaxValue, out _));
        Assert.True(File.Exists(Path.Combine(log.Directory, "00000000000000000000.log")));
    }

    [Fact]
    public void Writeback_starts_whole_pages_only_leaving_the_page_still_appended_to()
    {
        using var log = OpenLog();
        log.Append(TestBatches.Create(100, 100, _time.NowMs, tag: 1), 0);
        int size = log.Segments[^1].SizeBytes;
        Assert.NotEqual(0, size % 4096); // the tail page is partly written

        log.StartWriteback(minBytes: 0);
        Assert.Equal(size / 4096 * 4096, log.WritebackStartedBytes);
        Assert.True(log.WritebackStartedBytes > 0);

        // Under the minimum, nothing more starts; past it, again up to the last whole page.
        log.Append(TestBatches.Create(100, 100, _time.NowMs, tag: 2), 0);
        log.StartWriteback(minBytes: 1 << 20);
        Assert.Equal(size / 4096 * 4096, log.WritebackStartedBytes);
        log.StartWriteback(minBytes: 0);
        Assert.Equal(log.Segments[^1].SizeBytes / 4096 * 4096, log.WritebackStartedBytes);
    }

    [Fact]
    public void Writeback_with_a_page_cache_tail_drops_the_pages_behind_it_and_reads_still_return_them()
    {
        using var log = OpenLog();
        var appended = new List<byte[]>();
        void AppendMegabytes(int megabytes)
        {
            for (int i = 0; i < megabytes * 10; i++)
            {
                var batch = TestBatches.Create(100, 1000, _time.NowMs, tag: appended.Count);
                appended.Add(batch.ToArray());
                log.Append(batch, 0);
            }

            log.Flush(); // the kernel drops clean pages only
        }

        AppendMegabytes(4);
        string path = Path.Combine(log.Directory, "00000000000000000000.log");
        int size = log.Segments[^1].SizeBytes;

        // Without a tail nothing is dropped.
        log.StartWriteback(minBytes: 0);
        Assert.Equal(0, log.PageCacheDroppedBytes);
        Assert.Equal(size / 4096, PageCacheResidency.CachedPages(path, 0, size / 4096 * 4096));

        const long tail = 512 * 1024;
        long LastWholePage() => log.Segments[^1].SizeBytes / 4096 * 4096;
        log.StartWriteback(minBytes: 0, pageCacheTailBytes: tail);
        long dropped = LastWholePage() - tail;
        Assert.Equal(dropped, log.PageCacheDroppedBytes);
        Assert.Equal(tail / 4096, PageCacheResidency.CachedPages(path, dropped, dropped + tail));

        // The kernel drops whole folios only; the next step also takes the one that straddled the
        // previous end, so nothing is left before it.
        long firstDropped = dropped;
        AppendMegabytes(2);
        log.StartWriteback(minBytes: 0, pageCacheTailBytes: tail);
        dropped = LastWholePage() - tail;
        Assert.Equal(dropped, log.PageCacheDroppedBytes);
        Assert.True(dropped > 5 << 20);
        Assert.Equal(0, PageCacheResidency.CachedPages(path, 0, firstDropped));
        Assert.InRange(PageCacheResidency.CachedPages(path, firstDropped, dropped), 0, (2 << 20) / 4096);

        // Reads of the dropped range come from the device, byte for byte.
        var stored = TestBatches.Split(log.Read(0, 64 << 20, long.MaxValue).Slice.ToArray());
        Assert.Equal(appended.Count, stored.Count);
        for (int i = 0; i < stored.Count; i++)
        {
            Assert.Equal(appended[i].AsSpan(RecordBatchLayout.CrcOffset).ToArray(), stored[i].AsSpan(RecordBatchLayout.CrcOffset).ToArray());
        }
    }

    [Fact]
    public void Reading_an_offset_inside_a_batch_starts_at_that_batch()
    {
        using var log = OpenLog();
        for (int i = 0; i < 4; i++)
        {
            log.Append(TestBatches.Create(10, 50, _time.NowMs, tag: i), 0);
        }

        var result = log.Read(25, 1 << 20, long.MaxValue);
        Assert.Equal(ReadStatus.Success, result.Status);
        var batches = TestBatches.Split(result.Slice.ToArray());
        Assert.Equal([2L, 3L], batches.Select(b => TestBatches.ReadTag(b)));
        Assert.Equal(20, new RecordBatchHeader(batches[0]).BaseOffset);
    }

    [Fact]
    public void The_high_watermark_listener_hears_each_advance_and_not_appends()
    {
        using var log = OpenLog();
        var heard = new List<long>();
        log.SetHighWatermarkListener(l => heard.Add(l.HighWatermark));

        log.Append(TestBatches.Create(10, 10, _time.NowMs, 0), 0);
        Assert.Empty(heard); // a reader up to the high watermark would find nothing yet

        log.UpdateHighWatermark(10);
        log.UpdateHighWatermark(10);
        log.UpdateHighWatermark(4);
        log.Append(TestBatches.Create(5, 10, _time.NowMs, 1), 0);
        log.UpdateHighWatermark(100);

        Assert.Equal([10L, 15L], heard);
    }

    [Fact]
    public void Out_of_range_offsets_are_refused_and_the_end_offset_reads_empty()
    {
        using var log = OpenLog();
        log.Append(TestBatches.Create(10, 10, _time.NowMs, 0), 0);
        log.UpdateHighWatermark(10);

        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(11, 100, long.MaxValue).Status);
        Assert.Equal(1, log.Read(11, 100, long.MaxValue).KafkaErrorCode);
        var atEnd = log.Read(10, 100, long.MaxValue);
        Assert.Equal(ReadStatus.Success, atEnd.Status);
        Assert.True(atEnd.Slice.IsEmpty);

        Assert.True(log.AdvanceLogStartOffset(5));
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(4, 100, long.MaxValue).Status);
        Assert.False(log.AdvanceLogStartOffset(11));
    }

    [Fact]
    public void Reads_stop_at_the_high_watermark_and_max_bytes_but_return_one_whole_batch()
    {
        using var log = OpenLog();
        for (int i = 0; i < 5; i++)
        {
            log.Append(TestBatches.Create(2, 100, _time.NowMs, i), 0);
        }

        log.UpdateHighWatermark(6);
        var upToHw = TestBatches.Split(log.Read(0, 1 << 20, log.HighWatermark).Slice.ToArray());
        Assert.Equal(3, upToHw.Count);

        var tiny = log.Read(0, 10, long.MaxValue);
        Assert.Single(TestBatches.Split(tiny.Slice.ToArray()));
        Assert.Equal(RecordBatchHeader.PeekSizeInBytes(tiny.Slice.ToArray()), tiny.Slice.LengthBytes);

        var noMin = log.Read(0, 10, long.MaxValue, minOneBatch: false);
        Assert.Equal(10, noMin.Slice.LengthBytes);

        var buffer = new byte[300];
        int copied = log.ReadInto(0, buffer, long.MaxValue);
        Assert.Equal(300, copied);
        Assert.Equal(log.Read(0, 300, long.MaxValue, false).Slice.ToArray(), buffer);
    }

    [Theory]
    [InlineData(RecordBatchError.CrcMismatch)]
    [InlineData(RecordBatchError.UnsupportedMagic)]
    [InlineData(RecordBatchError.TooLarge)]
    [InlineData(RecordBatchError.InvalidLength)]
    [InlineData(RecordBatchError.Truncated)]
    [InlineData(RecordBatchError.InvalidRecordCount)]
    public void Invalid_batches_are_refused_with_kafka_codes_and_never_reach_the_file(RecordBatchError expected)
    {
        using var log = OpenLog(new LogConfig { MaxMessageBytes = 2000 });
        log.Append(TestBatches.Create(1, 10, _time.NowMs, 0), 0);
        long sizeBefore = log.SizeBytes;
        byte[] batch = expected switch
        {
            RecordBatchError.CrcMismatch => Corrupt(TestBatches.Create(3, 10, _time.NowMs, 1), b => b[^1] ^= 0x40),
            RecordBatchError.UnsupportedMagic => Corrupt(TestBatches.Create(3, 10, _time.NowMs, 1), b => b[RecordBatchLayout.MagicOffset] = 1),
            RecordBatchError.TooLarge => TestBatches.Create(3, 1000, _time.NowMs, 1),
            RecordBatchError.InvalidLength => [.. TestBatches.Create(3, 10, _time.NowMs, 1), 0, 0, 0],
            RecordBatchError.Truncated => TestBatches.Create(3, 10, _time.NowMs, 1)[..70],
            _ => Corrupt(TestBatches.Create(3, 10, _time.NowMs, 1), b => BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(RecordBatchLayout.RecordsCountOffset), 0)),
        };

        var result = log.Append(batch, 0);

        Assert.Equal(AppendStatus.InvalidBatch, result.Status);
        Assert.Equal(expected, result.BatchError);
        Assert.Equal(expected.ToKafkaErrorCode(), result.KafkaErrorCode);
        Assert.Equal(1, log.LogEndOffset);
        Assert.Equal(sizeBefore, log.SizeBytes);
        Assert.Equal(sizeBefore, new FileInfo(Path.Combine(log.Directory, "00000000000000000000.log")).Length);
    }

    [Fact]
    public void Segments_roll_on_segment_bytes_and_are_named_by_base_offset()
    {
        using var log = OpenLog(new LogConfig { SegmentBytes = 1000, SegmentIndexBytes = 4096 });
        var batch = TestBatches.Create(4, 100, _time.NowMs, 0);
        for (int i = 0; i < 10; i++)
        {
            log.Append(TestBatches.Create(4, 100, _time.NowMs, i), 0);
        }

        int perSegment = 1000 / batch.Length;
        Assert.Equal((int)Math.Ceiling(10.0 / perSegment), log.SegmentCount);
        var names = Directory.GetFiles(log.Directory, "*.log").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(log.Segments.Select(s => SegmentFileNames.FormatOffset(s.BaseOffset) + ".log"), names);
        Assert.Equal(4L * perSegment, log.Segments[1].BaseOffset);
        for (long offset = 0; offset < 40; offset++)
        {
            var first = TestBatches.Split(log.Read(offset, 1, long.MaxValue).Slice.ToArray())[0];
            Assert.Equal(offset / 4, TestBatches.ReadTag(first));
        }
    }

    [Fact]
    public void Segments_roll_on_segment_ms()
    {
        using var log = OpenLog(new LogConfig { SegmentMs = 60_000 });
        log.Append(TestBatches.Create(1, 10, _time.NowMs, 0), 0);
        _time.Advance(TimeSpan.FromSeconds(59));
        log.Append(TestBatches.Create(1, 10, _time.NowMs, 1), 0);
        Assert.Equal(1, log.SegmentCount);
        _time.Advance(TimeSpan.FromSeconds(2));
        log.Append(TestBatches.Create(1, 10, _time.NowMs, 2), 0);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(2, log.Segments[1].BaseOffset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_appends_and_reads_match_an_in_memory_oracle(int seed)
    {
        var random = new Random(seed);
        var config = new LogConfig { SegmentBytes = 20_000, IndexIntervalBytes = 500, SegmentIndexBytes = 8 * 64 };
        var oracle = new List<(long BaseOffset, long LastOffset, long Tag)>();
        using (var log = OpenLog(config))
        {
            for (int i = 0; i < 400; i++)
            {
                int count = random.Next(1, 20);
                var result = log.Append(TestBatches.Create(count, random.Next(8, 300), _time.NowMs, i), 0);
                oracle.Add((result.BaseOffset, result.LastOffset, i));
            }

            Assert.True(log.SegmentCount > 5);
            CheckReads(log, oracle, random);
        }

        // The same answers after a clean restart and after a recovery that rebuilds every index.
        using (var reopened = OpenLog(config, clean: true))
        {
            CheckReads(reopened, oracle, random);
        }

        using (var recovered = OpenLog(config, clean: false))
        {
            CheckReads(recovered, oracle, random);
        }
    }

    [Fact]
    public void Timestamp_lookup_finds_the_first_batch_at_or_after_the_time()
    {
        using var log = OpenLog(new LogConfig { SegmentBytes = 3000, IndexIntervalBytes = 200 });
        long start = _time.NowMs;
        for (int i = 0; i < 100; i++)
        {
            log.Append(TestBatches.Create(2, 50, start + (i * 10), i), 0);
        }

        for (int i = 0; i < 100; i++)
        {
            Assert.True(log.TryFindBatchByTimestamp(start + (i * 10) + 1, out long baseOffset, out var slice));
            Assert.Equal(i * 2, baseOffset);
            Assert.Equal(i, TestBatches.ReadTag(slice.ToArray()));
        }

        Assert.False(log.TryFindBatchByTimestamp(start + 10_000, out _, out _));
    }

    [Fact]
    public void Thousands_of_segments_survive_a_clean_restart_and_a_recovery()
    {
        var config = new LogConfig { SegmentBytes = 100, SegmentIndexBytes = 64 };
        const int Batches = 2500;
        using (var log = OpenLog(config))
        {
            for (int i = 0; i < Batches; i++)
            {
                log.Append(TestBatches.Create(1, 40, _time.NowMs, i), 0);
            }

            Assert.Equal(Batches, log.SegmentCount);
        }

        foreach (bool clean in new[] { true, false })
        {
            using var log = OpenLog(config, clean);
            Assert.Equal(Batches, log.SegmentCount);
            Assert.Equal(Batches, log.LogEndOffset);
            foreach (int offset in new[] { 0, 1, 1234, Batches - 1 })
            {
                Assert.Equal(offset, TestBatches.ReadTag(log.Read(offset, 1, long.MaxValue).Slice.ToArray()));
            }
        }
    }

    internal static byte[] Corrupt(byte[] batch, Action<byte[]> change)
    {
        change(batch);
        return batch;
    }

    private static void CheckReads(PartitionLog log, List<(long BaseOffset, long LastOffset, long Tag)> oracle, Random random)
    {
        Assert.Equal(oracle[^1].LastOffset + 1, log.LogEndOffset);
        for (int i = 0; i < 300; i++)
        {
            long offset = random.NextInt64(0, log.LogEndOffset);
            int expectedIndex = oracle.FindIndex(b => b.LastOffset >= offset);
            var bytes = log.Read(offset, random.Next(1, 5000), long.MaxValue).Slice.ToArray();
            var batches = TestBatches.Split(bytes);
            Assert.NotEmpty(batches);
            for (int j = 0; j < batches.Count; j++)
            {
                var header = new RecordBatchHeader(batches[j]);
                Assert.Equal(oracle[expectedIndex + j].BaseOffset, header.BaseOffset);
                Assert.Equal(oracle[expectedIndex + j].Tag, TestBatches.ReadTag(batches[j]));
            }
        }
    }
}
