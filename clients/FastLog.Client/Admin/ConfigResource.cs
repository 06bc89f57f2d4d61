namespace FastLog.Client.Admin;

/// <summary>A resource whose configs are described or altered.</summary>
/// <param name="Type">Topic or broker.</param>
/// <param name="Name">The topic name, or the broker's node id as a string.</param>
public readonly record struct ConfigResource(ConfigResourceType Type, string Name)
{
    /// <summary>The topic <paramref name="name"/>.</summary>
    public static ConfigResource Topic(string name) => new(ConfigResourceType.Topic, name);

    /// <summary>The broker with node id <paramref name="nodeId"/>.</summary>
    public static ConfigResource Broker(int nodeId) =>
        new(ConfigResourceType.Broker, nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary><c>topic 'orders'</c> or <c>broker 1</c>, as error messages name it.</summary>
    public override string ToString() => Type switch
    {
        ConfigResourceType.Topic => $"topic '{Name}'",
        ConfigResourceType.Broker => $"broker {Name}",
        ConfigResourceType.BrokerLogger => $"broker logger {Name}",
        _ => $"resource {Type} '{Name}'",
    };
}
