using FastLog.Engine.Commit;
using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;
using FastLog.Format;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// The active segment keeps a zero-filled tail ahead of small synced appends. Readers, rolls, clean
/// closes and crash recovery must behave as if it were not there: only batches are ever served, and
/// closed segments hold nothing but batches.
/// </summary>
public sealed class PreallocationTests : IDisposable
{
    private const int StepBytes = 64 * 1024;
    private static readonly TopicPartition Tp = new("prealloc", 0);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Small_synced_appends_get_a_zero_filled_tail_and_reads_see_only_the_batches()
    {
        string directory = _dir.Combine("small");
        using var log = Open(directory);
        var tags = AppendAndFlush(log, count: 20, valueBytes: 100);

        var active = log.Segments[^1];
        long fileLength = new FileInfo(active.LogPath).Length;
        Assert.True(active.PreparedTailBytes > 0, "nothing was prepared");
        Assert.Equal(active.SizeBytes + active.PreparedTailBytes, fileLength);
        Assert.True(fileLength >= StepBytes / 2, $"file is {fileLength} B");
        Assert.True(TailIsZeros(active.LogPath, active.SizeBytes), "the prepared tail is not zeros");

        AssertReadsBack(log, tags);
        Assert.Equal(log.SizeBytes, ReadAll(log).Sum(batch => (long)batch.Length));
    }

    [Fact]
    public void Appends_into_the_prepared_tail_stay_readable_and_in_order()
    {
        string directory = _dir.Combine("fill");
        using var log = Open(directory);

        // Far more than one step, so appends cross prepared tails again and again.
        var tags = AppendAndFlush(log, count: 400, valueBytes: 300);

        AssertReadsBack(log, tags);
        Assert.True(log.Segments[^1].SizeBytes > 2 * StepBytes);
    }

    [Fact]
    public void Large_synced_appends_are_not_preallocated()
    {
        string directory = _dir.Combine("large");
        using var log = Open(directory);

        // Each sync covers about 32 KiB, more than an eighth of the step: zeros would cost more than they save.
        AppendAndFlush(log, count: 10, valueBytes: 32 * 1024);

        var active = log.Segments[^1];
        Assert.Equal(0, active.PreparedTailBytes);
        Assert.Equal(active.SizeBytes, new FileInfo(active.LogPath).Length);
    }

    [Fact]
    public void A_zero_step_turns_preallocation_off()
    {
        string directory = _dir.Combine("off");
        using var log = Open(directory, stepBytes: 0);
        AppendAndFlush(log, count: 20, valueBytes: 100);

        var active = log.Segments[^1];
        Assert.Equal(active.SizeBytes, new FileInfo(active.LogPath).Length);
    }

    [Fact]
    public void A_clean_close_trims_the_tail_and_the_log_reopens_where_it_ended()
    {
        string directory = _dir.Combine("close");
        var (tags, endOffset) = WriteLog(directory, log =>
        {
            Assert.True(log.Segments[^1].PreparedTailBytes > 0);
            log.Close();
            Assert.Equal(log.SizeBytes, new FileInfo(log.Segments[^1].LogPath).Length);
        });

        using var reopened = Open(directory, hadCleanShutdown: true, recoveryPoint: endOffset);
        Assert.Equal(endOffset, reopened.LogEndOffset);
        tags.AddRange(AppendAndFlush(reopened, count: 5, valueBytes: 100, firstTag: 1000));
        AssertReadsBack(reopened, tags);
    }

    [Fact]
    public void A_roll_trims_the_rolled_segment_to_its_batches()
    {
        string directory = _dir.Combine("roll");
        using var log = Open(directory, config: new LogConfig { SegmentBytes = 3 * StepBytes });
        var tags = AppendAndFlush(log, count: 2000, valueBytes: 200);

        Assert.True(log.SegmentCount >= 3, $"{log.SegmentCount} segments");
        foreach (var segment in log.Segments.Take(log.SegmentCount - 1))
        {
            Assert.Equal(segment.SizeBytes, new FileInfo(segment.LogPath).Length);
            Assert.True(segment.SizeBytes <= 3 * StepBytes);
        }

        AssertReadsBack(log, tags);
    }

    [Fact]
    public void After_an_unclean_stop_recovery_cuts_the_zeros_and_appends_continue_at_the_log_end()
    {
        string source = _dir.Combine("crash-source");
        string copy = _dir.Combine("crash-copy");

        // What a kill -9 leaves: the files as they are before the close, tail of zeros included.
        var (tags, endOffset) = WriteLog(source, _ => CopyDirectory(source, copy));

        long copiedLength = new FileInfo(Path.Combine(copy, "00000000000000000000.log")).Length;
        using var recovered = Open(copy, hadCleanShutdown: false, recoveryPoint: 0);
        Assert.Equal(endOffset, recovered.LogEndOffset);
        Assert.True(copiedLength > recovered.SizeBytes, "the copy had no zero tail to cut");
        Assert.Equal(recovered.SizeBytes, new FileInfo(recovered.Segments[^1].LogPath).Length);

        tags.AddRange(AppendAndFlush(recovered, count: 5, valueBytes: 100, firstTag: 1000));
        AssertReadsBack(recovered, tags);
    }

    [Fact]
    public void A_zero_tail_found_after_a_clean_stop_is_recovered_not_served()
    {
        string directory = _dir.Combine("stale-tail");
        var (tags, endOffset) = WriteLog(directory);

        // A clean close whose trim never reached the disk: zeros after the batches, marker present.
        string logFile = Path.Combine(directory, "00000000000000000000.log");
        long batchesLength = new FileInfo(logFile).Length;
        using (var stream = new FileStream(logFile, FileMode.Open))
        {
            stream.SetLength(batchesLength + 10_000);
        }

        using var reopened = Open(directory, hadCleanShutdown: true, recoveryPoint: endOffset);
        Assert.Equal(endOffset, reopened.LogEndOffset);
        Assert.Equal(batchesLength, reopened.SizeBytes);
        AssertReadsBack(reopened, tags);
    }

    [Fact]
    public async Task Appends_racing_the_preparation_are_never_overwritten_by_zeros()
    {
        string directory = _dir.Combine("race");
        using var log = Open(directory);
        var random = new Random(7);
        var tags = new List<long>();
        using var stop = new CancellationTokenSource();

        // A flusher syncing (and preparing) as fast as it can while the appender writes batches of
        // varied sizes, some of them past the prepared end.
        var flusher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                log.Flush();
            }
        });

        for (int i = 0; i < 3000; i++)
        {
            int valueBytes = random.Next(10) == 0 ? random.Next(4_000, 20_000) : random.Next(20, 400);
            log.Append(TestBatches.Create(1, valueBytes, 1_700_000_000_000, i), 0);
            tags.Add(i);
        }

        stop.Cancel();
        await flusher;
        log.Flush();
        AssertReadsBack(log, tags);
    }

    [Theory]
    [InlineData(StepBytes)]
    [InlineData(0)]
    public async Task The_committer_reports_preparation_syncs_apart_from_the_flushes_that_answer_waiters(int stepBytes)
    {
        var observer = new CountingObserver();
        await using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "prepared", observer);
        using var log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _dir.Combine($"observed-{stepBytes}"),
            TopicPartition = Tp,
            PreallocateStepBytes = stepBytes,
            Committer = committer,
        });

        for (int i = 0; i < 20; i++)
        {
            var result = log.Append(TestBatches.Create(1, 100, 1_700_000_000_000, i), 0);
            await log.WaitForDurableAsync(result.EndOffset);
        }

        Assert.True(observer.Flushed >= 20, $"{observer.Flushed} flushes");
        if (stepBytes > 0)
        {
            Assert.InRange(observer.Prepared, 1, observer.Flushed);
            Assert.True(log.Segments[^1].PreparedTailBytes > 0);
        }
        else
        {
            Assert.Equal(0, observer.Prepared);
        }

        Assert.Equal(0, observer.Failed);
    }

    private sealed class CountingObserver : IFlushObserver
    {
        private int _flushed;
        private int _prepared;
        private int _failed;

        public int Flushed => Volatile.Read(ref _flushed);

        public int Prepared => Volatile.Read(ref _prepared);

        public int Failed => Volatile.Read(ref _failed);

        public void OnFlushed(TimeSpan duration, bool succeeded) => Interlocked.Increment(ref succeeded ? ref _flushed : ref _failed);

        public void OnPrepared(TimeSpan duration, bool succeeded) => Interlocked.Increment(ref succeeded ? ref _prepared : ref _failed);
    }

    private PartitionLog Open(string directory, int stepBytes = StepBytes, LogConfig? config = null, bool hadCleanShutdown = false, long recoveryPoint = 0) =>
        PartitionLog.Open(new PartitionLogOptions
        {
            Directory = directory,
            TopicPartition = Tp,
            Config = config ?? new LogConfig(),
            PreallocateStepBytes = stepBytes,
            HadCleanShutdown = hadCleanShutdown,
            RecoveryPointOffset = recoveryPoint,
        });

    /// <summary>Twenty small synced appends in a new log, then <paramref name="beforeClose"/>, then a clean close.</summary>
    private (List<long> Tags, long EndOffset) WriteLog(string directory, Action<PartitionLog>? beforeClose = null)
    {
        using var log = Open(directory);
        var tags = AppendAndFlush(log, count: 20, valueBytes: 100);
        long endOffset = log.LogEndOffset;
        beforeClose?.Invoke(log);
        return (tags, endOffset);
    }

    /// <summary>Appends one-record batches tagged in order, syncing after each as acks=all would.</summary>
    private static List<long> AppendAndFlush(PartitionLog log, int count, int valueBytes, long firstTag = 0)
    {
        var tags = new List<long>(count);
        for (int i = 0; i < count; i++)
        {
            long tag = firstTag + i;
            var result = log.Append(TestBatches.Create(1, valueBytes, 1_700_000_000_000, tag), 0);
            Assert.Equal(AppendStatus.Success, result.Status);
            log.Flush();
            tags.Add(tag);
        }

        return tags;
    }

    /// <summary>Every batch from the log start, one read per segment (a read stops at its segment's end).</summary>
    private static List<byte[]> ReadAll(PartitionLog log)
    {
        var batches = new List<byte[]>();
        long offset = log.LogStartOffset;
        while (offset < log.LogEndOffset)
        {
            var read = TestBatches.Split(log.Read(offset, int.MaxValue, long.MaxValue).Slice.ToArray());
            Assert.NotEmpty(read);
            batches.AddRange(read);
            var last = new RecordBatchHeader(read[^1]);
            offset = last.BaseOffset + last.LastOffsetDelta + 1;
        }

        return batches;
    }

    private static void AssertReadsBack(PartitionLog log, List<long> expectedTags)
    {
        var batches = ReadAll(log);
        Assert.Equal(expectedTags.Count, batches.Count);
        long expectedOffset = log.LogStartOffset;
        for (int i = 0; i < batches.Count; i++)
        {
            Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batches[i], int.MaxValue, out _));
            Assert.Equal(expectedTags[i], TestBatches.ReadTag(batches[i]));
            Assert.Equal(expectedOffset, new RecordBatchHeader(batches[i]).BaseOffset);
            expectedOffset++;
        }

        Assert.Equal(log.LogEndOffset, expectedOffset);
    }

    private static bool TailIsZeros(string path, long from)
    {
        var bytes = File.ReadAllBytes(path);
        return !bytes.AsSpan((int)from).ContainsAnyExcept((byte)0);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
