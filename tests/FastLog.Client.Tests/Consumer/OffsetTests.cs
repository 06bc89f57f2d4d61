using FastLog.Client.Consumer;
using FastLog.Client.Serialization;
using FastLog.Protocol;
using FastLog.Server.Broker;
using static FastLog.Client.Tests.Consumer.ConsumerTestKit;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// Where reading starts and how it moves: auto.offset.reset earliest / latest / none, seeking, pausing and
/// resuming, and commits (sync, async, explicit) that a later consumer of the same group resumes from.
/// </summary>
public sealed class OffsetTests
{
    private static async Task<long> FirstOffsetAsync<TKey, TValue>(KafkaConsumer<TKey, TValue> consumer)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        ConsumeResult<TKey, TValue> first = await consumer.ConsumeAsync(guard.Token);
        return first.Offset;
    }

    [Fact]
    public async Task Auto_offset_reset_earliest_starts_at_the_log_start()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await ProduceAsync(broker.BootstrapServers, "reset-earliest", 50);
        ConsumerOptions options = Options(broker, "fresh-group");
        options.AutoOffsetReset = AutoOffsetReset.Earliest;
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(options);
        consumer.Subscribe("reset-earliest");

        Assert.Equal(0, await FirstOffsetAsync(consumer));
    }

    [Fact]
    public async Task Auto_offset_reset_latest_reads_only_records_written_after_the_position_was_set()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await ProduceAsync(broker.BootstrapServers, "reset-latest", 50);
        ConsumerOptions options = Options(broker);
        options.AutoOffsetReset = AutoOffsetReset.Latest;
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(options);
        var partition = new TopicPartition("reset-latest", 0);
        consumer.Assign([partition]);
        await WaitUntilAsync(() => consumer.Position(partition) != Offset.Unset, "the position is looked up");
        Assert.Equal(50, consumer.Position(partition));

        await ProduceAsync(broker.BootstrapServers, "reset-latest", 5, start: 50);
        Assert.Equal(50, await FirstOffsetAsync(consumer));
    }

    [Fact]
    public async Task Auto_offset_reset_none_without_a_committed_offset_is_a_clear_error()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await ProduceAsync(broker.BootstrapServers, "reset-none", 10);
        ConsumerOptions options = Options(broker, "no-commits");
        options.AutoOffsetReset = AutoOffsetReset.None;
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(options);
        var partition = new TopicPartition("reset-none", 0);
        consumer.Assign([partition]);

        using var guard = new CancellationTokenSource(HangGuard);
        KafkaException error = await Assert.ThrowsAsync<KafkaException>(async () => await consumer.ConsumeAsync(guard.Token));
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.Error);
        Assert.Contains("auto.offset.reset is none", error.Message, StringComparison.Ordinal);
        Assert.Contains("reset-none-0", error.Message, StringComparison.Ordinal);

        // Seeking is the way out.
        consumer.Seek(partition, 4);
        Assert.Equal(4, await FirstOffsetAsync(consumer));
    }

    [Fact]
    public async Task Out_of_range_position_is_reset_by_auto_offset_reset()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await ProduceAsync(broker.BootstrapServers, "out-of-range", 20);
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(broker));
        var partition = new TopicPartition("out-of-range", 0);
        consumer.Assign([new TopicPartitionOffset(partition, 10_000)]);

        Assert.Equal(0, await FirstOffsetAsync(consumer));
    }

    [Fact]
    public async Task Seek_moves_the_position_forwards_backwards_and_to_the_ends()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await ProduceAsync(broker.BootstrapServers, "seek", 100, compression: Confluent.Kafka.CompressionType.Lz4);
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(broker));
        var partition = new TopicPartition("seek", 0);
        consumer.Assign([new TopicPartitionOffset(partition, 37)]);
        Assert.Equal(37, await FirstOffsetAsync(consumer));
        Assert.Equal(38, await FirstOffsetAsync(consumer));

        // Inside a compressed batch the batch starts before the offset; the records before it are skipped.
        consumer.Seek(partition, 73);
        Assert.Equal(73, await FirstOffsetAsync(consumer));
        consumer.Seek(partition, 5);
        Assert.Equal(5, await FirstOffsetAsync(consumer));
        consumer.Seek(partition, Offset.Beginning);
        Assert.Equal(0, await FirstOffsetAsync(consumer));
        consumer.Seek(partition, Offset.End);
        await WaitUntilAsync(() => consumer.Position(partition) == 100, "the position is at the end");
        Assert.Throws<InvalidOperationException>(() => consumer.Seek(new TopicPartition("seek", 7), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Seek(partition, -5));
    }

    [Fact]
    public async Task Paused_partitions_return_nothing_until_resumed_then_continue_from_their_position()
    {
        await using FastLogBroker broker = await StartBrokerAsync(partitions: 2);
        await ProduceAsync(broker.BootstrapServers, "pause", 400, partitions: 2);
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(broker));
        var p0 = new TopicPartition("pause", 0);
        var p1 = new TopicPartition("pause", 1);
        consumer.Assign([p0, p1]);
        using var guard = new CancellationTokenSource(HangGuard);

        // Read a little of partition 0, then pause it: only partition 1 comes until resumed.
        consumer.Pause([p0]);
        Assert.Equal([p0], consumer.Paused);
        var afterPause = new List<ConsumeResult<Ignore, Ignore>>();
        for (int i = 0; i < 200; i++)
        {
            afterPause.Add(await consumer.ConsumeAsync(guard.Token));
        }

        Assert.All(afterPause, r => Assert.Equal(1, r.Partition));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), afterPause.Select(r => r.Offset));
        Assert.Null(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(300), guard.Token));

        consumer.Resume([p0]);
        Assert.Empty(consumer.Paused);
        var afterResume = new List<ConsumeResult<Ignore, Ignore>>();
        for (int i = 0; i < 200; i++)
        {
            afterResume.Add(await consumer.ConsumeAsync(guard.Token));
        }

        Assert.All(afterResume, r => Assert.Equal(0, r.Partition));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), afterResume.Select(r => r.Offset));
    }

    [Fact]
    public async Task Synchronous_commit_is_where_the_next_consumer_of_the_group_resumes()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await ProduceAsync(broker.BootstrapServers, "commit-sync", 300);
        var partition = new TopicPartition("commit-sync", 0);
        ConsumerOptions Manual()
        {
            ConsumerOptions options = Options(broker, "committers");
            options.EnableAutoCommit = false;
            return options;
        }

        await using (var first = new KafkaConsumer<Ignore, Ignore>(Manual()))
        {
            first.Subscribe("commit-sync");
            List<Copied> read = await ReadAsync(first, 120);
            Assert.Equal(119, read[^1].Offset);
            IReadOnlyList<TopicPartitionOffset> committed = first.Commit();
            Assert.Equal(new TopicPartitionOffset(partition, 120), Assert.Single(committed) with { LeaderEpoch = -1 });
            Assert.Equal(120, Assert.Single(first.Committed([partition])).Offset);
        }

        await using var second = new KafkaConsumer<Ignore, Ignore>(Manual());
        second.Subscribe("commit-sync");
        Assert.Equal(120, await FirstOffsetAsync(second));
    }

    [Fact]
    public async Task Asynchronous_commit_of_explicit_offsets_is_where_the_next_consumer_resumes()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await ProduceAsync(broker.BootstrapServers, "commit-async", 300);
        var partition = new TopicPartition("commit-async", 0);
        ConsumerOptions options = Options(broker, "async-committers");
        options.EnableAutoCommit = false;

        await using (var first = new KafkaConsumer<Ignore, Ignore>(options))
        {
            first.Subscribe("commit-async");
            using var guard = new CancellationTokenSource(HangGuard);
            ConsumeResult<Ignore, Ignore> result = await first.ConsumeAsync(guard.Token);
            await first.CommitAsync(result, guard.Token);
            Assert.Equal(1, (await first.CommittedAsync([partition], guard.Token)).Single().Offset);
            await first.CommitAsync([new TopicPartitionOffset(partition, 210)], guard.Token);
            Assert.Equal(210, (await first.CommittedAsync([partition], guard.Token)).Single().Offset);
        }

        await using var second = new KafkaConsumer<Ignore, Ignore>(options);
        second.Subscribe("commit-async");
        Assert.Equal(210, await FirstOffsetAsync(second));
    }

    [Fact]
    public async Task Auto_commit_on_close_and_manual_assignment_with_a_group_resume_from_committed_offsets()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await ProduceAsync(broker.BootstrapServers, "auto-commit", 100);
        var partition = new TopicPartition("auto-commit", 0);
        await using (var first = new KafkaConsumer<Ignore, Ignore>(Options(broker, "auto")))
        {
            first.Assign([partition]);
            await ReadAsync(first, 40);
        }

        await using var second = new KafkaConsumer<Ignore, Ignore>(Options(broker, "auto"));
        Assert.Equal(40, Assert.Single(await second.CommittedAsync([partition])).Offset);
        Assert.Equal(Offset.Unset, Assert.Single(await second.CommittedAsync([new TopicPartition("auto-commit", 3)])).Offset);
        second.Assign([partition]);
        Assert.Equal(40, await FirstOffsetAsync(second));
    }

    [Fact]
    public async Task Commits_need_a_group()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(broker));
        Assert.Throws<InvalidOperationException>(() => consumer.Subscribe("t"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.CommitAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => consumer.CommittedAsync([new TopicPartition("t", 0)]));
    }
}
