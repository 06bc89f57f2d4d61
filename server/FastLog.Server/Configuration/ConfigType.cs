namespace FastLog.Server.Configuration;

/// <summary>The value types of broker and topic settings, as Kafka's DescribeConfigs reports them.</summary>
public enum ConfigType
{
    Boolean,
    String,
    Int,
    Short,
    Long,
    Double,
    List,
    Password,
}
