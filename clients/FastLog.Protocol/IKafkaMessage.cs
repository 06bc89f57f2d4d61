namespace FastLog.Protocol;

/// <summary>
/// The one codec shape every request and response body shares (generated from the project's schema).
/// Versions passed in are the message version from the request header; the header itself is separate.
/// </summary>
public interface IKafkaMessage
{
    ApiKey ApiKey { get; }

    bool IsRequest { get; }

    /// <summary>Adds this message's wire size (external records counted separately) to <paramref name="size"/>.</summary>
    void AddSize(ref MessageSize size, short version);

    /// <summary>Total wire size in bytes at <paramref name="version"/>, external records included.</summary>
    int ComputeSize(short version);

    void Write(ref KafkaWriter writer, short version);
}

/// <summary>Static face of a message type, for generic code that knows the type at compile time.</summary>
public interface IKafkaMessage<TSelf> : IKafkaMessage
    where TSelf : class, IKafkaMessage<TSelf>
{
    static abstract ApiKey MessageApiKey { get; }

    static abstract short LowestSupportedVersion { get; }

    static abstract short HighestSupportedVersion { get; }

    /// <summary>First flexible (compact + tagged fields) version, or -1 when the codec range has none.</summary>
    static abstract short FirstFlexibleVersion { get; }

    static abstract TSelf Read(ref KafkaReader reader, short version);
}
