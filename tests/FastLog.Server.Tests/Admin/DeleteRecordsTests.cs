using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace FastLog.Server.Tests.Admin;

/// <summary>DeleteRecords through Confluent.Kafka: the log start offset moves and readers see it.</summary>
public sealed class DeleteRecordsTests
{
    [Fact]
    public async Task DeleteRecords_moves_the_low_watermark_and_consumers_start_there()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "trimmed", NumPartitions = 1, ReplicationFactor = 1 }]);
        await AdminTestKit.ProduceAsync(broker, "trimmed", 10);
        var partition = new TopicPartition("trimmed", 0);

        var result = Assert.Single(await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, 4)]));

        Assert.Equal(4, result.Offset.Value);
        using (var earliest = AdminTestKit.Consumer(broker, AutoOffsetReset.Earliest))
        {
            var watermarks = earliest.QueryWatermarkOffsets(partition, AdminTestKit.Timeout);
            Assert.Equal((4L, 10L), (watermarks.Low.Value, watermarks.High.Value));

            // Offset 0 is gone: the reset policy takes the consumer to the new start.
            earliest.Assign(new TopicPartitionOffset(partition, 0));
            var first = earliest.Consume(AdminTestKit.Timeout);
            Assert.NotNull(first);
            Assert.Equal(4, first.Offset.Value);
            Assert.Equal("v4", first.Message.Value);
        }

        using (var strict = AdminTestKit.Consumer(broker, AutoOffsetReset.Error))
        {
            strict.Assign(new TopicPartitionOffset(partition, 0));
            var outOfRange = Assert.Throws<ConsumeException>(() => strict.Consume(AdminTestKit.Timeout));
            Assert.Equal(ErrorCode.Local_AutoOffsetReset, outOfRange.Error.Code);
        }
    }

    [Fact]
    public async Task DeleteRecords_to_the_high_watermark_empties_the_partition_and_beyond_it_is_out_of_range()
    {
        await using var broker = await AdminTestKit.StartBrokerAsync();
        using var admin = AdminTestKit.Admin(broker);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "emptied", NumPartitions = 1, ReplicationFactor = 1 }]);
        await AdminTestKit.ProduceAsync(broker, "emptied", 5);
        var partition = new TopicPartition("emptied", 0);

        var beyond = await Assert.ThrowsAsync<DeleteRecordsException>(() => admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, 6)]));
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Single(beyond.Results).Error.Code);

        var all = Assert.Single(await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, Offset.End)]));
        Assert.Equal(5, all.Offset.Value);

        // Going back below the start changes nothing.
        var back = Assert.Single(await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, 2)]));
        Assert.Equal(5, back.Offset.Value);
        using var consumer = AdminTestKit.Consumer(broker, AutoOffsetReset.Earliest);
        var watermarks = consumer.QueryWatermarkOffsets(partition, AdminTestKit.Timeout);
        Assert.Equal((5L, 5L), (watermarks.Low.Value, watermarks.High.Value));

        // An unknown partition is not asked here: librdkafka waits for its leader and never sends
        // the request (WireAdminTests covers the broker's UNKNOWN_TOPIC_OR_PARTITION answer).
    }
}
