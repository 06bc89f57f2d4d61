using Microsoft.Extensions.Logging;

namespace FastLog.Server.Broker;

/// <summary>
/// Options of an in-process broker. By default it listens on 127.0.0.1 on a free port and keeps its
/// data in a fresh temporary directory that is deleted when the broker is disposed.
/// </summary>
public sealed record FastLogBrokerOptions
{
    /// <summary>Broker settings with Kafka's names (e.g. <c>num.partitions</c>, <c>log.segment.bytes</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Where data lives; null means a temporary directory removed on dispose.</summary>
    public string? DataDirectory { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }
}
