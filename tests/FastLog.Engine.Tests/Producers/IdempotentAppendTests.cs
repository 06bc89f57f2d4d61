using FastLog.Engine.Log;
using FastLog.Engine.Producers;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Producers;

/// <summary>
/// Idempotent producers: per (producer id, partition) sequence checks with Kafka's five-batch
/// window — duplicates answered with their original offsets and never written twice, gaps and
/// fenced epochs refused with Kafka's codes — and the state surviving clean and unclean restarts.
/// </summary>
public sealed class IdempotentAppendTests : IDisposable
{
    private const long Pid = 4242;
    private static readonly TopicPartition Tp = new("idem", 0);
    private readonly TempDirectory _dir = new();
    private readonly ManualTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    private PartitionLog Open(bool clean = true, LogConfig? config = null) => PartitionLog.Open(new PartitionLogOptions
    {
        Directory = _dir.Combine(Tp.DirectoryName),
        TopicPartition = Tp,
        HadCleanShutdown = clean,
        TimeProvider = _time,
        Config = config ?? new LogConfig(),
    });

    [Fact]
    public void A_retried_batch_is_a_duplicate_with_its_original_offsets_and_is_not_written_again()
    {
        using var log = Open();
        var first = log.Append(TestBatches.CreateIdempotent(Pid, 0, 0, 10), 0);
        var second = log.Append(TestBatches.CreateIdempotent(Pid, 0, 10, 10), 0);
        long end = log.LogEndOffset;
        long size = log.SizeBytes;

        var retry = log.Append(TestBatches.CreateIdempotent(Pid, 0, 0, 10), 0);

        Assert.Equal(AppendStatus.Success, first.Status);
        Assert.Equal(AppendStatus.Duplicate, retry.Status);
        Assert.True(retry.IsSuccess);
        Assert.Equal(0, retry.KafkaErrorCode);
        Assert.Equal((first.BaseOffset, first.LastOffset), (retry.BaseOffset, retry.LastOffset));
        Assert.Equal(end, log.LogEndOffset);
        Assert.Equal(size, log.SizeBytes);
        Assert.Equal(AppendStatus.Duplicate, log.Append(TestBatches.CreateIdempotent(Pid, 0, 10, 10), 0).Status);
        Assert.Equal(second.BaseOffset, log.Append(TestBatches.CreateIdempotent(Pid, 0, 10, 10), 0).BaseOffset);
    }

    [Fact]
    public void Only_the_last_five_batches_are_remembered()
    {
        using var log = Open();
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(AppendStatus.Success, log.Append(TestBatches.CreateIdempotent(Pid, 0, i * 2, 2), 0).Status);
        }

        Assert.Equal(AppendStatus.Duplicate, log.Append(TestBatches.CreateIdempotent(Pid, 0, 4, 2), 0).Status);
        var tooOld = log.Append(TestBatches.CreateIdempotent(Pid, 0, 2, 2), 0);
        Assert.Equal(AppendStatus.ProducerRejected, tooOld.Status);
        Assert.Equal(45, tooOld.KafkaErrorCode);
    }

    [Theory]
    [InlineData(0, 25, ProducerAppendCheck.OutOfOrderSequence, 45)]
    [InlineData(0, 15, ProducerAppendCheck.OutOfOrderSequence, 45)]
    [InlineData(1, 5, ProducerAppendCheck.OutOfOrderSequence, 45)]
    public void Gaps_steps_back_and_a_new_epoch_not_starting_at_zero_are_out_of_order(short epoch, int sequence, ProducerAppendCheck expected, short code)
    {
        using var log = Open();
        log.Append(TestBatches.CreateIdempotent(Pid, 0, 0, 10), 0);
        log.Append(TestBatches.CreateIdempotent(Pid, 0, 10, 10), 0);
        long end = log.LogEndOffset;

        var result = log.Append(TestBatches.CreateIdempotent(Pid, epoch, sequence, 10), 0);

        Assert.Equal(AppendStatus.ProducerRejected, result.Status);
        Assert.Equal(expected, result.ProducerCheck);
        Assert.Equal(code, result.KafkaErrorCode);
        Assert.Equal(end, log.LogEndOffset);
    }

    [Fact]
    public void An_older_epoch_is_fenced_and_a_new_epoch_starts_over_at_zero()
    {
        using var log = Open();
        log.Append(TestBatches.CreateIdempotent(Pid, 3, 0, 5), 0);
        Assert.Equal(AppendStatus.Success, log.Append(TestBatches.CreateIdempotent(Pid, 4, 0, 5), 0).Status);

        var zombie = log.Append(TestBatches.CreateIdempotent(Pid, 3, 5, 5), 0);
        Assert.Equal(ProducerAppendCheck.InvalidProducerEpoch, zombie.ProducerCheck);
        Assert.Equal(47, zombie.KafkaErrorCode);
        Assert.Equal(AppendStatus.Success, log.Append(TestBatches.CreateIdempotent(Pid, 4, 5, 5), 0).Status);
    }

    [Fact]
    public void An_unknown_producer_must_start_at_sequence_zero()
    {
        using var log = Open();
        var result = log.Append(TestBatches.CreateIdempotent(Pid, 0, 7, 1), 0);
        Assert.Equal(ProducerAppendCheck.UnknownProducerId, result.ProducerCheck);
        Assert.Equal(59, result.KafkaErrorCode);
    }

    [Fact]
    public void Sequences_wrap_from_int_max_to_zero()
    {
        Assert.Equal(0, ProducerStateManager.NextSequence(int.MaxValue));
        Assert.Equal(4, ProducerStateManager.LastSequenceOf(int.MaxValue - 5, 10));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void Producer_state_survives_restarts_with_or_without_snapshots(bool clean, bool damageSnapshots)
    {
        var config = new LogConfig { SegmentBytes = 600 };
        var offsets = new List<(long Base, long Last)>();
        var log = Open(config: config);
        for (int i = 0; i < 20; i++)
        {
            var result = log.Append(TestBatches.CreateIdempotent(Pid, 0, i * 3, 3), 0);
            offsets.Add((result.BaseOffset, result.LastOffset));
        }

        Assert.True(log.SegmentCount > 3);
        string directory = log.Directory;
        log.Close();
        if (damageSnapshots)
        {
            foreach (string snapshot in Directory.GetFiles(directory, "*.snapshot"))
            {
                File.WriteAllBytes(snapshot, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
            }
        }

        using var reopened = Open(clean, config);
        for (int i = 15; i < 20; i++)
        {
            var retry = reopened.Append(TestBatches.CreateIdempotent(Pid, 0, i * 3, 3), 0);
            Assert.Equal(AppendStatus.Duplicate, retry.Status);
            Assert.Equal(offsets[i], (retry.BaseOffset, retry.LastOffset));
        }

        Assert.Equal(AppendStatus.Success, reopened.Append(TestBatches.CreateIdempotent(Pid, 0, 60, 3), 0).Status);
        Assert.Equal(ProducerAppendCheck.OutOfOrderSequence, reopened.Append(TestBatches.CreateIdempotent(Pid, 0, 70, 3), 0).ProducerCheck);
    }

    [Fact]
    public void Idle_producers_expire_with_retention()
    {
        using var log = Open(config: new LogConfig { ProducerIdExpirationMs = 60_000 });
        log.Append(TestBatches.CreateIdempotent(Pid, 0, 0, 1, timestampMs: _time.NowMs), 0);
        _time.Advance(TimeSpan.FromMinutes(2));
        log.DeleteRetainedSegments();
        Assert.Equal(ProducerAppendCheck.UnknownProducerId, log.Append(TestBatches.CreateIdempotent(Pid, 0, 1, 1), 0).ProducerCheck);
    }
}
