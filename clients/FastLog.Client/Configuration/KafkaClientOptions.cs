using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLog.Client.Configuration;

/// <summary>
/// Settings every client (producer, consumer, admin) shares. Each property names the Kafka client key it
/// corresponds to; <see cref="ReadCommon"/> reads those keys.
/// </summary>
public class KafkaClientOptions
{
    /// <summary><c>bootstrap.servers</c>: comma-separated <c>host:port</c> list used to discover the cluster.</summary>
    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary><c>client.id</c>: sent in every request header, shown in broker logs and group descriptions.</summary>
    public string ClientId { get; set; } = "fastlog-dotnet";

    /// <summary><c>request.timeout.ms</c>: how long one request may wait for its response.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary><c>socket.connection.setup.timeout.ms</c>: how long opening a TCP connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>metadata.max.age.ms</c>: cluster metadata older than this is refreshed even without an error.</summary>
    public TimeSpan MetadataMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>retry.backoff.ms</c>: pause before retrying a failed request.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>fetch.max.bytes</c>-independent cap on one response frame; larger frames close the connection.</summary>
    public int MaxResponseBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Where the client logs (connections, retries, rebalances). Defaults to no logging.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>The per-connection settings these options imply.</summary>
    public KafkaConnectionOptions ToConnectionOptions() => new()
    {
        ClientId = ClientId,
        ConnectTimeout = ConnectTimeout,
        RequestTimeout = RequestTimeout,
        MaxResponseBytes = MaxResponseBytes,
    };

    /// <summary>Reads the shared keys from <paramref name="config"/> into this object.</summary>
    /// <exception cref="ArgumentException">A value is malformed.</exception>
    protected void ReadCommon(KafkaConfigReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        BootstrapServers = config.String("bootstrap.servers") ?? BootstrapServers;
        _ = BrokerAddress.ParseList(BootstrapServers);
        ClientId = config.String("client.id") ?? ClientId;
        RequestTimeout = config.Milliseconds("request.timeout.ms") ?? RequestTimeout;
        ConnectTimeout = config.Milliseconds("socket.connection.setup.timeout.ms") ?? ConnectTimeout;
        MetadataMaxAge = config.Milliseconds("metadata.max.age.ms") ?? MetadataMaxAge;
        RetryBackoff = config.Milliseconds("retry.backoff.ms") ?? RetryBackoff;
    }

    /// <summary>Checks the shared settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public virtual void Validate()
    {
        _ = BrokerAddress.ParseList(BootstrapServers);
        if (RequestTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("request.timeout.ms and socket.connection.setup.timeout.ms must be positive.");
        }
    }
}
