using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLog.Server.Broker;

/// <summary>What <see cref="BrokerHost.RunAsync"/> starts and where it reports.</summary>
public sealed record BrokerHostOptions
{
    /// <summary>A Java-style properties file with broker settings, or null.</summary>
    public string? PropertiesFile { get; init; }

    /// <summary><c>key=value</c> settings that win over the file and the environment.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>Environment variables to read <c>FASTLOG_*</c> settings from; null means the process environment.</summary>
    public IEnumerable<KeyValuePair<string, string?>>? Environment { get; init; }

    /// <summary>Where the broker logs.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where the shutdown notice goes.</summary>
    public TextWriter Output { get; init; } = TextWriter.Null;

    /// <summary>Where configuration and start-up errors go.</summary>
    public TextWriter Error { get; init; } = TextWriter.Null;

    /// <summary>Stop on SIGTERM and SIGINT (a standalone process); false when the caller owns the signals.</summary>
    public bool HandleSignals { get; init; } = true;

    /// <summary>Called once the broker serves, e.g. to learn its address.</summary>
    public Action<FastLogBroker>? Started { get; init; }
}
