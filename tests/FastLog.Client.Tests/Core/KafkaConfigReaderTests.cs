using FastLog.Client.Configuration;

namespace FastLog.Client.Tests.Core;

public sealed class KafkaConfigReaderTests
{
    private static KafkaConfigReader Reader(params (string Key, string Value)[] pairs) =>
        new(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    [Fact]
    public void Typed_values_are_parsed()
    {
        var reader = Reader(("linger.ms", "7"), ("enable.idempotence", "FALSE"), ("batch.size", " 16384 "), ("acks", "all"));
        Assert.Equal(TimeSpan.FromMilliseconds(7), reader.Milliseconds("linger.ms"));
        Assert.False(reader.Boolean("enable.idempotence"));
        Assert.Equal(16384, reader.Int32("batch.size"));
        Assert.Equal(-1, reader.Choice("acks", new Dictionary<string, int> { ["all"] = -1, ["1"] = 1 }));
        Assert.Null(reader.String("absent"));
        reader.ThrowIfUnused();
    }

    [Fact]
    public void Unknown_keys_are_named_in_the_error()
    {
        var reader = Reader(("linger.ms", "7"), ("lingr.ms", "5"), ("bootstrap.server", "x:1"));
        _ = reader.Milliseconds("linger.ms");
        var error = Assert.Throws<ArgumentException>(reader.ThrowIfUnused);
        Assert.Contains("bootstrap.server", error.Message, StringComparison.Ordinal);
        Assert.Contains("lingr.ms", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("linger.ms,", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("batch.size", "big")]
    [InlineData("batch.size", "-1")]
    [InlineData("batch.size", "3000000000")]
    public void Malformed_or_out_of_range_numbers_are_refused(string key, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => Reader((key, value)).Int32(key, min: 0));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_durations_and_non_booleans_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Reader(("linger.ms", "-5")).Milliseconds("linger.ms"));
        Assert.Throws<ArgumentException>(() => Reader(("enable.auto.commit", "yes")).Boolean("enable.auto.commit"));
        Assert.Throws<ArgumentException>(() => Reader(("acks", "2")).Choice("acks", new Dictionary<string, int> { ["all"] = -1 }));
    }

    [Fact]
    public void Empty_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Reader((" ", "1")));
    }
}
