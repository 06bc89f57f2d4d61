namespace FastLog.Client.Admin;

/// <summary>The kinds of resource that have configs, numbered as DescribeConfigs and AlterConfigs send them.</summary>
public enum ConfigResourceType : sbyte
{
    /// <summary>A type this client does not know.</summary>
    Unknown = 0,

    /// <summary>A topic, named by its name.</summary>
    Topic = 2,

    /// <summary>A broker, named by its node id (<c>"1"</c>).</summary>
    Broker = 4,

    /// <summary>A broker's loggers, named by its node id.</summary>
    BrokerLogger = 8,
}
