using System.Globalization;
using FastLog.Engine.Log;

namespace FastLog.Server.Configuration;

/// <summary>
/// The broker's validated settings. Sources, later ones winning: built-in defaults, a
/// server.properties file, environment variables (<c>FASTLOG_LOG_DIRS</c> → <c>log.dirs</c>), and
/// <c>--override key=value</c>. An unknown name or an invalid value in any source stops start-up
/// with a <see cref="BrokerConfigException"/> naming the setting.
/// </summary>
public sealed class BrokerConfig
{
    /// <summary>Environment variables with this prefix are settings: after it, '_' is '.', '__' is '_' and '___' is '-'.</summary>
    public const string EnvironmentPrefix = "FASTLOG_";

    /// <summary>
    /// Variables with the prefix that belong to FastLog's other tools, not to the broker: the CLI's broker list and
    /// the fuzz test's seed. A shell that exports them for those tools must still be able to start a broker.
    /// </summary>
    public static IReadOnlySet<string> NonSettingVariables { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "FASTLOG_BROKERS",
        "FASTLOG_FUZZ_SEED",
    };

    private readonly Dictionary<string, string> _values;

    private BrokerConfig(Dictionary<string, string> values)
    {
        _values = values;
        NodeId = GetInt("node.id");
        Listeners = GetList("listeners").Select(l => ListenerAddress.Parse("listeners", l)).ToList();
        if (Listeners.Count == 0)
        {
            throw new BrokerConfigException("listeners: at least one listener is required");
        }

        AdvertisedListeners = _values.ContainsKey("advertised.listeners")
            ? GetList("advertised.listeners").Select(l => ListenerAddress.Parse("advertised.listeners", l)).ToList()
            : Listeners;
        LogDirs = _values.ContainsKey("log.dirs") || !_values.ContainsKey("log.dir") ? GetList("log.dirs") : [Get("log.dir")!];
        if (LogDirs.Count == 0)
        {
            throw new BrokerConfigException("log.dirs: at least one directory is required");
        }

        DefaultLogConfig = BuildDefaultLogConfig();
        string metrics = Get("metrics.listener")?.Trim() ?? string.Empty;
        MetricsListener = metrics.Length == 0 ? null : HostPort.Parse("metrics.listener", metrics);
    }

    /// <summary>The settings given explicitly (defaults are not included).</summary>
    public IReadOnlyDictionary<string, string> ExplicitValues => _values;

    public int NodeId { get; }

    public IReadOnlyList<ListenerAddress> Listeners { get; }

    public IReadOnlyList<ListenerAddress> AdvertisedListeners { get; }

    public IReadOnlyList<string> LogDirs { get; }

    /// <summary>Where /metrics and /health are served (metrics.listener); null when disabled.</summary>
    public HostPort? MetricsListener { get; }

    /// <summary>The log.* defaults as a partition log config (topics override them).</summary>
    public LogConfig DefaultLogConfig { get; }

    public bool AutoCreateTopicsEnable => GetBool("auto.create.topics.enable");

    public int NumPartitions => GetInt("num.partitions");

    /// <summary>Loads and validates every source; throws <see cref="BrokerConfigException"/> on the first bad setting.</summary>
    public static BrokerConfig Load(string? propertiesFile, IEnumerable<KeyValuePair<string, string?>> environment, IEnumerable<string> overrides)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (propertiesFile is not null)
        {
            if (!File.Exists(propertiesFile))
            {
                throw new BrokerConfigException($"configuration file {propertiesFile} does not exist");
            }

            foreach (var (key, value) in PropertiesFile.Parse(File.ReadAllText(propertiesFile), propertiesFile))
            {
                Set(values, key, value, propertiesFile);
            }
        }

        foreach (var (name, value) in environment)
        {
            if (value is not null && name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) && !NonSettingVariables.Contains(name))
            {
                Set(values, FromEnvironmentName(name), value, $"environment variable {name}");
            }
        }

        foreach (string entry in overrides)
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new BrokerConfigException($"--override '{entry}' is not key=value");
            }

            Set(values, entry[..equals].Trim(), entry[(equals + 1)..].Trim(), "--override");
        }

        return new BrokerConfig(values);
    }

    /// <summary>Builds a config from explicit values (tests and the embeddable broker).</summary>
    public static BrokerConfig FromValues(IEnumerable<KeyValuePair<string, string>> values)
    {
        var validated = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            Set(validated, key, value, "options");
        }

        return new BrokerConfig(validated);
    }

    /// <summary>The value in force: explicit, else the default (null when neither).</summary>
    public string? Get(string name)
    {
        if (_values.TryGetValue(name, out string? value))
        {
            return value;
        }

        return BrokerConfigDefinitions.TryGet(name, out var definition) ? definition.DefaultValue : throw new ArgumentException($"unknown setting {name}", nameof(name));
    }

    public int GetInt(string name) => int.Parse(Get(name)!, CultureInfo.InvariantCulture);

    public long GetLong(string name) => long.Parse(Get(name)!, CultureInfo.InvariantCulture);

    public bool GetBool(string name) => bool.Parse(Get(name)!);

    public double GetDouble(string name) => double.Parse(Get(name)!, CultureInfo.InvariantCulture);

    public IReadOnlyList<string> GetList(string name) =>
        (Get(name) ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Maps FASTLOG_LOG_DIRS to log.dirs (Confluent's convention: ___ → -, __ → _, _ → .).</summary>
    public static string FromEnvironmentName(string variable)
    {
        string rest = variable[EnvironmentPrefix.Length..].ToLowerInvariant();
        return rest.Replace("___", "\u0001", StringComparison.Ordinal)
            .Replace("__", "\u0002", StringComparison.Ordinal)
            .Replace('_', '.')
            .Replace('\u0001', '-')
            .Replace('\u0002', '_');
    }

    private static void Set(Dictionary<string, string> values, string key, string value, string source)
    {
        if (!BrokerConfigDefinitions.TryGet(key, out var definition))
        {
            throw new BrokerConfigException($"unknown setting '{key}' (from {source})");
        }

        string? problem = definition.Validate(value);
        if (problem is not null)
        {
            throw new BrokerConfigException($"invalid value '{value}' for {key} (from {source}): {problem}");
        }

        values[key] = value;
    }

    private LogConfig BuildDefaultLogConfig()
    {
        long segmentMs = _values.ContainsKey("log.roll.ms") ? GetLong("log.roll.ms") : GetInt("log.roll.hours") * 3_600_000L;
        long retentionMs = _values.ContainsKey("log.retention.ms") ? GetLong("log.retention.ms")
            : _values.ContainsKey("log.retention.minutes") ? GetInt("log.retention.minutes") * 60_000L
            : GetInt("log.retention.hours") * 3_600_000L;
        var config = new LogConfig
        {
            SegmentBytes = GetInt("log.segment.bytes"),
            SegmentMs = segmentMs,
            SegmentIndexBytes = GetInt("log.index.size.max.bytes"),
            IndexIntervalBytes = GetInt("log.index.interval.bytes"),
            MaxMessageBytes = GetInt("message.max.bytes"),
            RetentionMs = retentionMs < 0 ? -1 : retentionMs,
            RetentionBytes = GetLong("log.retention.bytes"),
            FileDeleteDelayMs = GetLong("log.segment.delete.delay.ms"),
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new BrokerConfigException($"invalid log settings: {e.Message}", e);
        }

        return config;
    }
}
