namespace FastLog.Server.Configuration;

/// <summary>Where a config value comes from, numbered as DescribeConfigs v1+ reports it.</summary>
public enum ConfigSource
{
    Unknown = 0,
    /// <summary>A topic override (DYNAMIC_TOPIC_CONFIG).</summary>
    TopicOverride = 1,
    /// <summary>Set in the broker's configuration (STATIC_BROKER_CONFIG).</summary>
    BrokerOverride = 4,
    /// <summary>The built-in default (DEFAULT_CONFIG).</summary>
    Default = 5,
}
