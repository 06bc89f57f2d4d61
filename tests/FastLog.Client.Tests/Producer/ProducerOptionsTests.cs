using FastLog.Client.Producer;

namespace FastLog.Client.Tests.Producer;

/// <summary>Reading producer settings from Kafka's keys: valid values land in typed properties, mistakes are errors that name the key.</summary>
public sealed class ProducerOptionsTests
{
    [Fact]
    public void Kafka_keys_are_read_into_typed_properties()
    {
        ProducerOptions options = ProducerOptions.FromConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "a:9092,b:9093",
            ["client.id"] = "orders",
            ["acks"] = "all",
            ["linger.ms"] = "20",
            ["batch.size"] = "65536",
            ["compression.type"] = "lz4",
            ["enable.idempotence"] = "true",
            ["max.in.flight.requests.per.connection"] = "3",
            ["buffer.memory"] = "1048576",
            ["max.block.ms"] = "1500",
            ["delivery.timeout.ms"] = "60000",
            ["retries"] = "7",
            ["request.timeout.ms"] = "10000",
            ["max.request.size"] = "200000",
            ["partitioner"] = "murmur2",
            ["retry.backoff.ms"] = "50",
            ["allow.auto.create.topics"] = "false",
        });

        Assert.Equal("a:9092,b:9093", options.BootstrapServers);
        Assert.Equal("orders", options.ClientId);
        Assert.Equal(Acks.All, options.Acks);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.Linger);
        Assert.Equal(65536, options.BatchSize);
        Assert.Equal(CompressionType.Lz4, options.Compression);
        Assert.True(options.IdempotenceEnabled);
        Assert.Equal(3, options.MaxInFlightRequestsPerConnection);
        Assert.Equal(1048576, options.BufferMemory);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.MaxBlock);
        Assert.Equal(TimeSpan.FromSeconds(60), options.DeliveryTimeout);
        Assert.Equal(7, options.Retries);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RequestTimeout);
        Assert.Equal(200000, options.MaxRequestSize);
        Assert.Equal(PartitionerType.Murmur2, options.Partitioner);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.RetryBackoff);
        Assert.False(options.AllowAutoCreateTopics);
    }

    [Fact]
    public void Defaults_follow_librdkafka_batching_and_java_idempotence()
    {
        ProducerOptions options = ProducerOptions.FromConfig(new Dictionary<string, string> { ["bootstrap.servers"] = "localhost:9092" });
        Assert.Equal(Acks.All, options.Acks);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.Linger);
        Assert.Equal(1_000_000, options.BatchSize);
        Assert.True(options.IdempotenceEnabled);
        Assert.Equal(5, options.MaxInFlightRequestsPerConnection);
        Assert.Equal(32L * 1024 * 1024, options.BufferMemory);
        Assert.Equal(1024 * 1024, options.MaxRequestSize);
    }

    [Theory]
    [InlineData("acks", "0", Acks.None)]
    [InlineData("acks", "1", Acks.Leader)]
    [InlineData("acks", "-1", Acks.All)]
    [InlineData("acks", "ALL", Acks.All)]
    public void Acks_accepts_kafka_spellings(string key, string value, Acks expected) =>
        Assert.Equal(expected, ProducerOptions.FromConfig(new Dictionary<string, string> { [key] = value }).Acks);

    [Fact]
    public void Message_max_bytes_is_an_alias_of_max_request_size()
    {
        Assert.Equal(5000, ProducerOptions.FromConfig(new Dictionary<string, string> { ["message.max.bytes"] = "5000" }).MaxRequestSize);
        Assert.Throws<ArgumentException>(() => ProducerOptions.FromConfig(new Dictionary<string, string>
        {
            ["message.max.bytes"] = "5000",
            ["max.request.size"] = "6000",
        }));
    }

    [Fact]
    public void An_unknown_key_is_an_error_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => ProducerOptions.FromConfig(new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "localhost:9092",
            ["linger.msec"] = "5",
        }));
        Assert.Contains("linger.msec", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acks", "2")]
    [InlineData("linger.ms", "soon")]
    [InlineData("linger.ms", "-1")]
    [InlineData("batch.size", "0")]
    [InlineData("compression.type", "brotli")]
    [InlineData("enable.idempotence", "yes")]
    [InlineData("max.in.flight.requests.per.connection", "0")]
    [InlineData("partitioner", "consistent")]
    [InlineData("bootstrap.servers", "no-port")]
    public void A_bad_value_is_an_error_naming_the_key(string key, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => ProducerOptions.FromConfig(new Dictionary<string, string> { [key] = value }));
        Assert.Contains(key == "bootstrap.servers" ? "no-port" : key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Idempotence_turns_itself_off_for_conflicting_settings_unless_asked_for()
    {
        Assert.False(ProducerOptions.FromConfig(new Dictionary<string, string> { ["acks"] = "1" }).IdempotenceEnabled);
        Assert.False(ProducerOptions.FromConfig(new Dictionary<string, string> { ["max.in.flight.requests.per.connection"] = "6" }).IdempotenceEnabled);

        var acks = Assert.Throws<ArgumentException>(() => ProducerOptions.FromConfig(new Dictionary<string, string>
        {
            ["enable.idempotence"] = "true",
            ["acks"] = "1",
        }));
        Assert.Contains("acks=all", acks.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ProducerOptions.FromConfig(new Dictionary<string, string>
        {
            ["enable.idempotence"] = "true",
            ["max.in.flight.requests.per.connection"] = "6",
        }));
    }

    [Fact]
    public void Delivery_timeout_must_cover_linger_and_one_request()
    {
        var error = Assert.Throws<ArgumentException>(() => ProducerOptions.FromConfig(new Dictionary<string, string>
        {
            ["delivery.timeout.ms"] = "1000",
            ["request.timeout.ms"] = "5000",
        }));
        Assert.Contains("delivery.timeout.ms", error.Message, StringComparison.Ordinal);
    }
}
