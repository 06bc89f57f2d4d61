using FastLog.Client.Admin;
using FastLog.Protocol;
using static FastLog.Client.Tests.Admin.AdminTestKit;

namespace FastLog.Client.Tests.Admin;

public sealed class PartitionAdminTests
{
    private static readonly TopicAndPartition P0 = new("t", 0);
    private static readonly TopicAndPartition P1 = new("t", 1);

    [Fact]
    public async Task List_offsets_finds_earliest_latest_by_time_and_max_timestamp()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 2)]);
        var start = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        // Timestamps rise by a minute per record except offset 6, the latest of all.
        Produce(broker.BootstrapServers, "t", 0, 8, i => i == 6 ? start.AddHours(1) : start.AddMinutes(i));

        IReadOnlyList<ListedOffset> earliest = await admin.ListOffsetsAsync([P0, P1], OffsetSpec.Earliest).WaitAsync(HangGuard);
        IReadOnlyList<ListedOffset> latest = await admin.ListOffsetsAsync([P0, P1], OffsetSpec.Latest).WaitAsync(HangGuard);
        IReadOnlyList<ListedOffset> mixed = await admin.ListOffsetsAsync(new Dictionary<TopicAndPartition, OffsetSpec>
        {
            [P0] = OffsetSpec.ForTimestamp(start.AddMinutes(3)),
            [P1] = OffsetSpec.ForTimestamp(start),
        }).WaitAsync(HangGuard);
        ListedOffset max = Assert.Single(await admin.ListOffsetsAsync([P0], OffsetSpec.MaxTimestamp).WaitAsync(HangGuard));

        Assert.Equal([(P0, 0L), (P1, 0L)], earliest.Select(o => (o.Partition, o.Offset)));
        Assert.Equal([(P0, 8L), (P1, 0L)], latest.Select(o => (o.Partition, o.Offset)));
        Assert.Equal(3, mixed[0].Offset);
        Assert.Equal(start.AddMinutes(3).ToUnixTimeMilliseconds(), mixed[0].Timestamp);
        Assert.Equal(-1, mixed[1].Offset);
        Assert.Equal(6, max.Offset);
        Assert.Equal(start.AddHours(1).ToUnixTimeMilliseconds(), max.Timestamp);
    }

    [Fact]
    public async Task List_offsets_of_a_missing_topic_or_partition_says_which()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 2)]);

        var topic = await Assert.ThrowsAsync<KafkaException>(() => admin.ListOffsetsAsync([new TopicAndPartition("missing", 0)], OffsetSpec.Latest).WaitAsync(HangGuard));
        var partition = await Assert.ThrowsAsync<KafkaException>(() => admin.ListOffsetsAsync([new TopicAndPartition("t", 9)], OffsetSpec.Latest).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, topic.Error);
        Assert.Equal("Topic 'missing' does not exist.", topic.Message);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, partition.Error);
        Assert.Equal("Partition t-9 does not exist.", partition.Message);
    }

    [Fact]
    public async Task Delete_records_moves_the_earliest_offset_and_refuses_an_offset_past_the_end()
    {
        await using var broker = await StartBrokerAsync();
        await using var admin = NewAdmin(broker);
        await admin.CreateTopicsAsync([new NewTopic("t", 2)]);
        Produce(broker.BootstrapServers, "t", 0, 10);
        Produce(broker.BootstrapServers, "t", 1, 4);

        IReadOnlyList<DeletedRecords> deleted = await admin.DeleteRecordsAsync(new Dictionary<TopicAndPartition, long> { [P0] = 6, [P1] = -1 }).WaitAsync(HangGuard);
        var beyond = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteRecordsAsync(new Dictionary<TopicAndPartition, long> { [P0] = 11 }).WaitAsync(HangGuard));

        Assert.Equal([new DeletedRecords(P0, 6), new DeletedRecords(P1, 4)], deleted);
        Assert.Equal([6L, 4L], (await admin.ListOffsetsAsync([P0, P1], OffsetSpec.Earliest)).Select(o => o.Offset));
        Assert.Equal(ErrorCode.OffsetOutOfRange, beyond.Error);
        Assert.StartsWith("Partition t-0: offset out of range: cannot delete before offset 11", beyond.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => admin.DeleteRecordsAsync(new Dictionary<TopicAndPartition, long> { [P0] = -2 }));
    }
}
