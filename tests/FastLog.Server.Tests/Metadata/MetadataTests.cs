using FastLog.Engine.Log;
using FastLog.Protocol;
using FastLog.Server.Configuration;
using FastLog.Server.Metadata;

namespace FastLog.Server.Tests.Metadata;

/// <summary>
/// The metadata log: records round-trip through KRaft's framing, changes are validated with Kafka's
/// error codes, and the image replayed after a restart equals the one before it.
/// </summary>
public sealed class MetadataTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fastlog-meta-" + Guid.NewGuid().ToString("N"));
    private readonly BrokerConfig _config = BrokerConfig.FromValues(new Dictionary<string, string> { ["num.partitions"] = "3" });

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private (LogManager Logs, MetadataController Controller) Open()
    {
        var logs = LogManager.Open(new LogManagerOptions { LogDirs = [_dir] });
        return (logs, new MetadataController(new MetadataLog(logs, TimeProvider.System), _config));
    }

    [Fact]
    public void Records_round_trip_through_the_kraft_framing()
    {
        MetadataRecord[] records =
        [
            new TopicRecord("orders", Guid.NewGuid()),
            new PartitionRecord(2, Guid.NewGuid(), [1], [1], 1, 5, 7),
            new ConfigRecord(ConfigRecord.TopicResource, "orders", "retention.ms", "1000"),
            new ConfigRecord(ConfigRecord.TopicResource, "orders", "retention.ms", null),
            new RemoveTopicRecord(Guid.NewGuid()),
            new ProducerIdsRecord(1, -1, 5000),
        ];
        foreach (var record in records)
        {
            byte[] bytes = MetadataRecordSerde.Serialize(record);
            Assert.Equal(1, bytes[0]);
            Assert.Equal(record.RecordApiKey, bytes[1]);
            var back = MetadataRecordSerde.Deserialize(bytes);
            if (record is PartitionRecord p)
            {
                var q = Assert.IsType<PartitionRecord>(back);
                Assert.Equal((p.PartitionId, p.TopicId, p.Leader, p.LeaderEpoch, p.PartitionEpoch), (q.PartitionId, q.TopicId, q.Leader, q.LeaderEpoch, q.PartitionEpoch));
                Assert.Equal(p.Replicas, q.Replicas);
                Assert.Equal(p.Isr, q.Isr);
            }
            else
            {
                Assert.Equal(record, back);
            }
        }

        Assert.Throws<InvalidDataException>(() => MetadataRecordSerde.Deserialize([1, 99, 0, 0]));
        Assert.Throws<InvalidDataException>(() => MetadataRecordSerde.Deserialize([1, 2, 0, 200]));
    }

    [Fact]
    public void Changes_are_validated_with_kafka_error_codes()
    {
        var (logs, controller) = Open();
        using (logs)
        {
            var none = new Dictionary<string, string?>();
            Assert.True(controller.CreateTopic("orders", -1, -1, none, validateOnly: false).IsOk);
            Assert.Equal(3, controller.Image.Topics["orders"].Partitions.Length);
            Assert.Equal(ErrorCode.TopicAlreadyExists, controller.CreateTopic("orders", 1, 1, none, false).Error);
            Assert.Equal(ErrorCode.InvalidTopicException, controller.CreateTopic("bad name!", 1, 1, none, false).Error);
            Assert.Equal(ErrorCode.InvalidPartitions, controller.CreateTopic("zero", 0, 1, none, false).Error);
            Assert.Equal(ErrorCode.InvalidReplicationFactor, controller.CreateTopic("rf3", 1, 3, none, false).Error);
            Assert.Equal(ErrorCode.InvalidConfig, controller.CreateTopic("cfg", 1, 1, new Dictionary<string, string?> { ["retention.ms"] = "never" }, false).Error);
            Assert.True(controller.CreateTopic("dry", 1, 1, none, validateOnly: true).IsOk);
            Assert.False(controller.Image.Topics.ContainsKey("dry"));
            Assert.Equal(ErrorCode.InvalidPartitions, controller.CreatePartitions("orders", 2, false).Error);
            Assert.Equal(ErrorCode.UnknownTopicOrPartition, controller.DeleteTopic("nope").Error);
        }
    }

    [Fact]
    public void The_image_replayed_after_a_restart_equals_the_one_before()
    {
        long firstProducerId;
        Guid ordersId;
        var (logs, controller) = Open();
        using (logs)
        {
            var none = new Dictionary<string, string?>();
            controller.CreateTopic("orders", 2, 1, new Dictionary<string, string?> { ["retention.ms"] = "60000" }, false);
            controller.CreateTopic("gone", 1, 1, none, false);
            controller.CreatePartitions("orders", 5, false);
            controller.AlterTopicConfigs("orders", new Dictionary<string, string?> { ["segment.bytes"] = "100000" }, replaceAll: false, validateOnly: false);
            controller.AlterTopicConfigs("orders", new Dictionary<string, string?> { ["retention.ms"] = null }, replaceAll: false, validateOnly: false);
            controller.DeleteTopic("gone");
            firstProducerId = controller.AllocateProducerId();
            Assert.Equal(firstProducerId + 1, controller.AllocateProducerId());
            ordersId = controller.Image.Topics["orders"].TopicId;
        }

        (logs, controller) = Open();
        using (logs)
        {
            var image = controller.Image;
            Assert.Equal(["orders"], image.Topics.Keys);
            var orders = image.Topics["orders"];
            Assert.Equal(ordersId, orders.TopicId);
            Assert.Equal(5, orders.Partitions.Length);
            Assert.Equal(new Dictionary<string, string> { ["segment.bytes"] = "100000" }, orders.Configs);
            Assert.True(controller.AllocateProducerId() > firstProducerId + 1, "producer ids must never repeat across restarts");
        }
    }
}
