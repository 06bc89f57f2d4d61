using FastLog.Client.Consumer;
using FastLog.Client.Serialization;

namespace FastLog.Client.Tests.Consumer;

/// <summary>Kafka consumer keys map onto the typed options; unknown keys and bad values are refused by name.</summary>
public sealed class ConsumerOptionsTests
{
    [Fact]
    public void Every_consumer_key_is_read()
    {
        ConsumerOptions options = ConsumerOptions.FromConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "a:1,b:2",
            ["client.id"] = "reader",
            ["group.id"] = "g",
            ["group.instance.id"] = "i-1",
            ["auto.offset.reset"] = "earliest",
            ["enable.auto.commit"] = "false",
            ["auto.commit.interval.ms"] = "1000",
            ["session.timeout.ms"] = "10000",
            ["heartbeat.interval.ms"] = "1000",
            ["max.poll.interval.ms"] = "60000",
            ["fetch.min.bytes"] = "10",
            ["fetch.max.wait.ms"] = "200",
            ["max.partition.fetch.bytes"] = "2048",
            ["fetch.max.bytes"] = "4096",
            ["partition.assignment.strategy"] = "cooperative-sticky, org.apache.kafka.clients.consumer.RangeAssignor",
            ["isolation.level"] = "read_committed",
            ["client.rack"] = "r1",
            ["check.crcs"] = "true",
            ["group.protocol"] = "classic",
            ["request.timeout.ms"] = "5000",
        });

        Assert.Equal("a:1,b:2", options.BootstrapServers);
        Assert.Equal("reader", options.ClientId);
        Assert.Equal("g", options.GroupId);
        Assert.Equal("i-1", options.GroupInstanceId);
        Assert.Equal(AutoOffsetReset.Earliest, options.AutoOffsetReset);
        Assert.False(options.EnableAutoCommit);
        Assert.Equal(TimeSpan.FromSeconds(1), options.AutoCommitInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxPollInterval);
        Assert.Equal(10, options.FetchMinBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.FetchMaxWait);
        Assert.Equal(2048, options.MaxPartitionFetchBytes);
        Assert.Equal(4096, options.FetchMaxBytes);
        Assert.Equal([PartitionAssignmentStrategy.CooperativeSticky, PartitionAssignmentStrategy.Range], options.PartitionAssignmentStrategies);
        Assert.Equal(IsolationLevel.ReadCommitted, options.IsolationLevel);
        Assert.Equal("r1", options.ClientRack);
        Assert.True(options.CheckCrcs);
        Assert.Equal(TimeSpan.FromSeconds(5), options.RequestTimeout);
    }

    [Fact]
    public void Defaults_are_the_Java_clients()
    {
        var options = new ConsumerOptions();
        Assert.Null(options.GroupId);
        Assert.Equal(AutoOffsetReset.Latest, options.AutoOffsetReset);
        Assert.True(options.EnableAutoCommit);
        Assert.Equal(TimeSpan.FromSeconds(45), options.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.FetchMaxWait);
        Assert.Equal(1024 * 1024, options.MaxPartitionFetchBytes);
        Assert.Equal(50 * 1024 * 1024, options.FetchMaxBytes);
        Assert.Equal([PartitionAssignmentStrategy.Range, PartitionAssignmentStrategy.CooperativeSticky], options.PartitionAssignmentStrategies);
        options.Validate();
    }

    [Theory]
    [InlineData("group.idd", "g", "group.idd")]
    [InlineData("auto.offset.reset", "smallest", "auto.offset.reset")]
    [InlineData("enable.auto.commit", "yes", "enable.auto.commit")]
    [InlineData("fetch.max.bytes", "0", "fetch.max.bytes")]
    [InlineData("partition.assignment.strategy", "sticky", "partition.assignment.strategy")]
    [InlineData("isolation.level", "serializable", "isolation.level")]
    [InlineData("group.protocol", "consumer", "group.protocol")]
    [InlineData("session.timeout.ms", "-1", "session.timeout.ms")]
    public void Unknown_keys_and_bad_values_are_refused_by_name(string key, string value, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => ConsumerOptions.FromConfig(new Dictionary<string, string> { [key] = value }));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inconsistent_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ConsumerOptions.FromConfig(new Dictionary<string, string>
        {
            ["session.timeout.ms"] = "3000",
            ["heartbeat.interval.ms"] = "3000",
        }));
        Assert.Throws<ArgumentException>(() => new ConsumerOptions { FetchMaxWait = TimeSpan.FromSeconds(40) }.Validate());
        Assert.Throws<ArgumentException>(() => new ConsumerOptions { GroupId = string.Empty }.Validate());
        Assert.Throws<ArgumentException>(() => new ConsumerOptions { PartitionAssignmentStrategies = [] }.Validate());
        Assert.Throws<ArgumentException>(() => new ConsumerOptions { BootstrapServers = "no-port" }.Validate());
    }

    [Fact]
    public void Built_in_deserializers_read_Kafka_layouts()
    {
        var context = new DeserializationContext("t", false, default);
        Assert.Equal("héllo", Deserializers.Utf8.Deserialize("héllo"u8, false, context));
        Assert.Null(Deserializers.Utf8.Deserialize([], true, context));
        Assert.Equal([1, 2], Deserializers.ByteArray.Deserialize([1, 2], false, context));
        Assert.Null(Deserializers.ByteArray.Deserialize([], true, context));
        Assert.Equal(0x01020304, Deserializers.Int32.Deserialize([1, 2, 3, 4], false, context));
        Assert.Equal(-2L, Deserializers.Int64.Deserialize([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE], false, context));
        Assert.Throws<InvalidDataException>(() => Deserializers.Int32.Deserialize([1, 2, 3], false, context));
        Assert.Throws<InvalidDataException>(() => Deserializers.Int64.Deserialize([], true, context));
        Assert.Null(Deserializers.Ignore.Deserialize([9, 9], false, context));
        Assert.Null(Deserializers.Null.Deserialize([], true, context));
        Assert.Throws<InvalidDataException>(() => Deserializers.Null.Deserialize([1], false, context));
        Assert.Same(Deserializers.Utf8, Deserializers.Default<string>());
        Assert.Null(Deserializers.Default<Guid>());
        Assert.Throws<ArgumentException>(() => new KafkaConsumer<Guid, string>(new ConsumerOptions()));
    }
}
