namespace FastLog.Server.Requests;

/// <summary>Kafka's config resource types, as DescribeConfigs and (Incremental)AlterConfigs number them.</summary>
internal static class ConfigResourceType
{
    public const sbyte Topic = 2;

    public const sbyte Broker = 4;

    public const sbyte BrokerLogger = 8;
}
