using FastLog.Engine.Log;
using FastLog.Engine.Segments;
using FastLog.Engine.Tests.Support;
using FastLog.Format;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// A partition written through its write buffer with direct I/O (log.direct.write.buffer.bytes):
/// reads see every batch whether the file has it yet or not, the file ends up byte for byte what
/// was appended (zeros past it until a roll or close trims them), the page cache stays empty, and
/// a crash loses only what was not synced.
/// </summary>
public sealed class DirectWriteTests : IDisposable
{
    private static readonly TopicPartition Tp = new("direct", 0);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    private PartitionLog OpenLog(int bufferBytes, LogConfig? config = null, string? directory = null, bool clean = true) =>
        PartitionLog.Open(new PartitionLogOptions
        {
            Directory = directory ?? _dir.Combine(Tp.DirectoryName),
            TopicPartition = Tp,
            Config = config ?? new LogConfig(),
            TimeProvider = _time,
            HadCleanShutdown = clean,
            DirectWriteBufferBytes = bufferBytes,
        });

    private static string LogFile(PartitionLog log, long baseOffset = 0) => Path.Combine(log.Directory, $"{baseOffset:D20}.log");

    [Fact]
    public void Reads_come_from_the_buffer_before_the_file_has_the_bytes_and_the_page_cache_never_holds_them()
    {
        using var log = OpenLog(1024 * 1024);
        Assert.True(log.WritesDirect);
        var appended = new List<byte[]>();
        for (int i = 0; i < 40; i++)
        {
            var batch = TestBatches.Create(3, 3000 + (i * 37), _time.NowMs, tag: i); // about 400 KB in all: past the 256 KiB writeback step
            appended.Add(batch.ToArray());
            log.Append(batch, 0);
        }

        int size = log.Segments[^1].SizeBytes;
        string path = LogFile(log);
        Assert.Equal(0, new FileInfo(path).Length); // nothing written yet
        AssertBatches(appended, log.Read(0, 1 << 20, long.MaxValue).Slice.ToArray());

        // The writeback tick writes whole pages only (at least 256 KiB of them); a sync writes the partial last page too, padded with zeros.
        log.StartWriteback(minBytes: 0);
        Assert.Equal(size / 4096 * 4096, new FileInfo(path).Length);
        log.Flush();
        long length = new FileInfo(path).Length;
        Assert.Equal((size + 4095) / 4096 * 4096, length);
        Assert.Equal(0, PageCacheResidency.CachedPages(path, 0, length));

        byte[] file = File.ReadAllBytes(path);
        AssertBatches(appended, file.AsSpan(0, size));
        Assert.All(file.AsSpan(size).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void The_buffer_wraps_around_and_batches_larger_than_it_pass_through()
    {
        using var log = OpenLog(64 * 1024); // the smallest buffer
        var random = new Random(7);
        var appended = new List<byte[]>();
        for (int i = 0; i < 300; i++)
        {
            int valueBytes = i % 97 == 50 ? 150_000 : random.Next(10, 6000); // two batches over twice the buffer
            var batch = TestBatches.Create(2, valueBytes, _time.NowMs, tag: i);
            appended.Add(batch.ToArray());
            var result = log.Append(batch, 0);
            if (i % 7 == 0)
            {
                log.StartWriteback(minBytes: 0);
            }

            // The newest batch reads back at once, wherever it sits in the ring.
            var newest = TestBatches.Split(log.Read(result.BaseOffset, 1 << 20, long.MaxValue).Slice.ToArray());
            Assert.Equal(appended[^1].AsSpan(RecordBatchLayout.CrcOffset).ToArray(), newest[0].AsSpan(RecordBatchLayout.CrcOffset).ToArray());
        }

        AssertBatches(appended, log.Read(0, 64 << 20, long.MaxValue).Slice.ToArray());
        log.Flush();
        int size = log.Segments[^1].SizeBytes;
        AssertBatches(appended, File.ReadAllBytes(LogFile(log)).AsSpan(0, size));
    }

    [Fact]
    public void Only_bytes_the_buffer_no_longer_holds_are_left_to_the_file()
    {
        using var log = OpenLog(64 * 1024);
        for (int i = 0; i < 200; i++)
        {
            log.Append(TestBatches.Create(1, 1000, _time.NowMs, tag: i), 0);
        }

        var active = log.Segments[^1];
        int size = active.SizeBytes;
        Assert.Equal(0, active.LeadingFileOnlyBytes(size - 1000, 1000)); // the newest: from memory
        Assert.Equal(size - (64 * 1024), active.LeadingFileOnlyBytes(0, size));
        Assert.Equal(100, active.LeadingFileOnlyBytes(0, 100));

        // What is left to the file is in the file already.
        int fileOnly = active.LeadingFileOnlyBytes(0, size);
        byte[] fromLog = new byte[fileOnly];
        Assert.Equal(fileOnly, active.ReadAt(fromLog, 0));
        Assert.Equal(fromLog, File.ReadAllBytes(LogFile(log)).AsSpan(0, fileOnly).ToArray());
    }

    [Fact]
    public void Rolls_hand_the_buffer_on_and_closed_segments_hold_exactly_their_batches()
    {
        var config = new LogConfig { SegmentBytes = 100 * 1024 };
        var appended = new List<byte[]>();
        using (var log = OpenLog(64 * 1024, config))
        {
            for (int i = 0; i < 150; i++)
            {
                var batch = TestBatches.Create(4, 1000, _time.NowMs, tag: i);
                appended.Add(batch.ToArray());
                log.Append(batch, 0);
            }

            Assert.True(log.SegmentCount >= 5);
            Assert.True(log.WritesDirect);
            foreach (var segment in log.Segments.SkipLast(1))
            {
                Assert.False(segment.HasWriteBuffer);
                Assert.Equal(segment.SizeBytes, new FileInfo(segment.LogPath).Length);
            }

            AssertBatches(appended, ReadAll(log));
        }

        // A clean close trims the active segment too; the reopened log goes on writing directly.
        using (var log = OpenLog(64 * 1024, config))
        {
            var active = log.Segments[^1];
            Assert.Equal(active.SizeBytes, new FileInfo(active.LogPath).Length);
            Assert.True(log.WritesDirect);
            var batch = TestBatches.Create(4, 1000, _time.NowMs, tag: 150);
            appended.Add(batch.ToArray());
            log.Append(batch, 0);
            AssertBatches(appended, ReadAll(log));
        }
    }

    [Fact]
    public void A_crash_keeps_what_was_synced_and_recovery_cuts_the_zeros_after_it()
    {
        using var log = OpenLog(64 * 1024);
        var synced = new List<byte[]>();
        for (int i = 0; i < 25; i++)
        {
            var batch = TestBatches.Create(2, 700, _time.NowMs, tag: i);
            synced.Add(batch.ToArray());
            log.Append(batch, 0);
        }

        log.Flush();
        long syncedEnd = log.LogEndOffset;
        for (int i = 25; i < 60; i++)
        {
            log.Append(TestBatches.Create(2, 700, _time.NowMs, tag: i), 0);
        }

        // The files as a crash now would leave them: the unsynced batches only in memory.
        string crashed = _dir.Combine("crashed");
        Directory.CreateDirectory(crashed);
        foreach (string file in Directory.GetFiles(log.Directory))
        {
            File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
        }

        using var recovered = OpenLog(64 * 1024, directory: crashed, clean: false);
        Assert.Equal(syncedEnd, recovered.LogEndOffset);
        AssertBatches(synced, ReadAll(recovered));
    }

    [Fact]
    public void A_writer_that_read_its_segment_before_a_roll_writes_nothing_of_the_next_one()
    {
        string directory = _dir.Combine("handover");
        Directory.CreateDirectory(directory);
        var buffer = new SegmentWriteBuffer(64 * 1024);
        using var first = LogSegment.Create(directory, 0, 1 << 20, 4096, _time.NowMs);
        using var second = LogSegment.Create(directory, 1000, 1 << 20, 4096, _time.NowMs);
        Assert.True(first.AttachWriteBuffer(buffer));
        for (int i = 0; i < 100; i++)
        {
            first.Append(TestBatches.Create(1, 1000, _time.NowMs, tag: i), i, _time.NowMs);
        }

        // The writeback tick or a flusher read the first segment and its size, then the roll hands the buffer on.
        long staleSize = first.SizeBytes;
        Assert.Same(buffer, first.DetachWriteBuffer());
        Assert.True(second.AttachWriteBuffer(buffer));
        var batch = TestBatches.Create(1, 500, _time.NowMs, tag: 1000);
        second.Append(batch, 1000, _time.NowMs);

        buffer.WritePages(first, staleSize, minBytes: 0);
        buffer.WriteAll(first, staleSize);
        Assert.Equal(0, new FileInfo(second.LogPath).Length);

        second.Sync();
        Assert.Equal(batch, File.ReadAllBytes(second.LogPath).AsSpan(0, batch.Length).ToArray());
        Assert.Equal(100, TestBatches.Split(File.ReadAllBytes(first.LogPath).AsSpan(0, (int)staleSize)).Count);
    }

    [Fact]
    public async Task Readers_racing_the_appender_and_the_writeback_never_see_torn_batches()
    {
        using var log = OpenLog(64 * 1024, new LogConfig { SegmentBytes = 512 * 1024 });
        using var stop = new CancellationTokenSource();
        var random = new Random(11);
        long checkedBatches = 0;

        void Read(int seed)
        {
            var r = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                long end = log.LogEndOffset;
                if (end == 0)
                {
                    continue;
                }

                // Mostly near the end, where the ring serves the reads.
                long offset = r.Next(4) == 0 ? r.NextInt64(end) : Math.Max(0, end - r.Next(1, 200));
                foreach (var batch in TestBatches.Split(log.Read(offset, 256 * 1024, end).Slice.ToArray()))
                {
                    Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, int.MaxValue, out _));
                    var header = new RecordBatchHeader(batch);
                    Assert.Equal(header.BaseOffset, TestBatches.ReadTag(batch));
                    Interlocked.Increment(ref checkedBatches);
                }
            }
        }

        var readers = new[] { Task.Run(() => Read(1)), Task.Run(() => Read(2)) };
        var writeback = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                log.StartWriteback(minBytes: 0);
            }
        });
        try
        {
            for (int i = 0; i < 4000; i++)
            {
                // Each batch's tag is the offset it gets: a reader checks both.
                var batch = TestBatches.Create(1, random.Next(50, 3000), _time.NowMs, tag: log.LogEndOffset);
                log.Append(batch, 0);
            }
        }
        finally
        {
            stop.Cancel();
        }

        await Task.WhenAll([.. readers, writeback]);
        Assert.True(log.SegmentCount > 3);
        Assert.True(Interlocked.Read(ref checkedBatches) > 1000, $"only {checkedBatches} batches checked");
    }

    private static byte[] ReadAll(PartitionLog log)
    {
        var bytes = new List<byte>();
        long next = 0;
        while (next < log.LogEndOffset)
        {
            var batches = TestBatches.Split(log.Read(next, 1 << 20, long.MaxValue).Slice.ToArray());
            Assert.NotEmpty(batches);
            foreach (var batch in batches)
            {
                bytes.AddRange(batch);
                next = new RecordBatchHeader(batch).LastOffset + 1;
            }
        }

        return [.. bytes];
    }

    // Stored batches carry stamped offsets and epoch; from the CRC on they are the appended bytes.
    private static void AssertBatches(List<byte[]> appended, ReadOnlySpan<byte> stored)
    {
        var batches = TestBatches.Split(stored);
        Assert.Equal(appended.Count, batches.Count);
        for (int i = 0; i < batches.Count; i++)
        {
            Assert.Equal(appended[i].AsSpan(RecordBatchLayout.CrcOffset).ToArray(), batches[i].AsSpan(RecordBatchLayout.CrcOffset).ToArray());
        }
    }
}
