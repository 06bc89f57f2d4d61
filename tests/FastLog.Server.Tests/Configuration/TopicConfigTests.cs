using FastLog.Server.Configuration;

namespace FastLog.Server.Tests.Configuration;

/// <summary>Topic settings: validation, the value in force (override, broker synonym, default) and its source, and the log settings they make.</summary>
public sealed class TopicConfigTests
{
    private static readonly BrokerConfig Broker = BrokerConfig.FromValues(new Dictionary<string, string>
    {
        ["log.retention.hours"] = "2",
        ["message.max.bytes"] = "2000000",
    });

    [Theory]
    [InlineData("retention.ms", "1000", true)]
    [InlineData("retention.ms", "-1", true)]
    [InlineData("retention.ms", "soon", false)]
    [InlineData("cleanup.policy", "compact,delete", true)]
    [InlineData("cleanup.policy", "shred", false)]
    [InlineData("segment.bytes", "10", false)]
    [InlineData("no.such.config", "1", false)]
    public void Values_are_validated(string name, string value, bool valid)
    {
        Assert.Equal(valid, TopicConfigDefinitions.Validate(name, value) is null);
    }

    [Fact]
    public void The_value_in_force_comes_from_the_override_then_the_broker_then_the_default()
    {
        var overrides = new Dictionary<string, string> { ["segment.bytes"] = "5000" };
        Assert.Equal(("5000", ConfigSource.TopicOverride), TopicConfigDefinitions.Resolve("segment.bytes", overrides, Broker));
        Assert.Equal(("2000000", ConfigSource.BrokerOverride), TopicConfigDefinitions.Resolve("max.message.bytes", overrides, Broker));
        Assert.Equal(("7200000", ConfigSource.BrokerOverride), TopicConfigDefinitions.Resolve("retention.ms", overrides, Broker));
        Assert.Equal(("delete", ConfigSource.Default), TopicConfigDefinitions.Resolve("cleanup.policy", overrides, Broker));
    }

    [Fact]
    public void Overrides_become_the_partition_log_settings()
    {
        var config = TopicConfigDefinitions.ToLogConfig(new Dictionary<string, string> { ["retention.bytes"] = "12345", ["segment.ms"] = "60000" }, Broker);
        Assert.Equal(12345, config.RetentionBytes);
        Assert.Equal(60000, config.SegmentMs);
        Assert.Equal(7_200_000, config.RetentionMs);
        Assert.Equal(2_000_000, config.MaxMessageBytes);
    }
}
