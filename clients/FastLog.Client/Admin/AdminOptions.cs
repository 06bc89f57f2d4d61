using FastLog.Client.Configuration;

namespace FastLog.Client.Admin;

/// <summary>
/// Settings of a <see cref="KafkaAdminClient"/>: the shared client settings. An operation that meets a retriable
/// error (controller or coordinator moved, leader unknown, network failure) retries after
/// <see cref="KafkaClientOptions.RetryBackoff"/> until <see cref="KafkaClientOptions.RequestTimeout"/> has passed
/// since the operation began.
/// </summary>
public sealed class AdminOptions : KafkaClientOptions
{
    /// <summary>Reads Kafka admin client properties (<c>bootstrap.servers</c>, <c>request.timeout.ms</c>, ...).</summary>
    /// <exception cref="ArgumentException">A value is malformed, or a key is not an admin client setting.</exception>
    public static AdminOptions FromConfig(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var config = new KafkaConfigReader(properties);
        var options = new AdminOptions();
        options.ReadCommon(config);
        config.ThrowIfUnused();
        options.Validate();
        return options;
    }
}
