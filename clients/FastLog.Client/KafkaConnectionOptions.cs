namespace FastLog.Client;

/// <summary>Settings for a <see cref="KafkaConnection"/>.</summary>
public sealed record KafkaConnectionOptions
{
    /// <summary>The <c>client.id</c> sent in every request header.</summary>
    public string ClientId { get; init; } = "fastlog-dotnet";

    /// <summary>How long establishing the TCP connection may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a request may wait for its response (<c>request.timeout.ms</c>).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest response frame accepted; a larger size prefix closes the connection.</summary>
    public int MaxResponseBytes { get; init; } = 100 * 1024 * 1024;
}
