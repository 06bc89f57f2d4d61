namespace FastLog.Client.Admin;

/// <summary>Where a config value comes from, numbered as DescribeConfigs v1+ reports it.</summary>
public enum ConfigSource : sbyte
{
    /// <summary>The broker did not say (or used a source this client does not know).</summary>
    Unknown = 0,

    /// <summary>A topic-level override.</summary>
    DynamicTopicConfig = 1,

    /// <summary>A dynamic setting of this broker.</summary>
    DynamicBrokerConfig = 2,

    /// <summary>A dynamic cluster-wide default for brokers.</summary>
    DynamicDefaultBrokerConfig = 3,

    /// <summary>Set in the broker's configuration file or command line.</summary>
    StaticBrokerConfig = 4,

    /// <summary>The built-in default.</summary>
    DefaultConfig = 5,

    /// <summary>A dynamic broker logger level.</summary>
    DynamicBrokerLoggerConfig = 6,
}
