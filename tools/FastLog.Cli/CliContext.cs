using System.CommandLine;
using FastLog.Client;
using FastLog.Client.Admin;
using FastLog.Protocol;

namespace FastLog.Cli;

/// <summary>One command's view of the parsed global options and the streams, and the admin client it connects.</summary>
internal sealed class CliContext
{
    private readonly ParseResult _parse;
    private readonly GlobalOptions _globals;

    public CliContext(ParseResult parse, GlobalOptions globals, CliIo io)
    {
        _parse = parse;
        _globals = globals;
        Io = io;
    }

    public CliIo Io { get; }

    public TextWriter Out => Io.Out;

    public TextWriter Error => Io.Error;

    public bool Json => _parse.GetValue(_globals.Output) == "json";

    /// <summary><c>-b</c>, else <c>-X bootstrap.servers</c>, else <c>$FASTLOG_BROKERS</c>, else localhost:9092.</summary>
    public string BootstrapServers =>
        _parse.GetValue(_globals.Bootstrap)
        ?? ClientProperties().FirstOrDefault(p => p.Key == "bootstrap.servers").Value
        ?? Io.Environment(GlobalOptions.BrokersVariable)
        ?? GlobalOptions.DefaultBootstrap;

    public T? Value<T>(Option<T> option) => _parse.GetValue(option);

    public T? Value<T>(Argument<T> argument) => _parse.GetValue(argument);

    /// <summary>The <c>-X key=value</c> settings, last one winning.</summary>
    /// <exception cref="CliException">An entry is not key=value.</exception>
    public IReadOnlyList<KeyValuePair<string, string>> ClientProperties() =>
        [.. (_parse.GetValue(_globals.ClientConfig) ?? []).Select(entry => KeyValue.Parse(entry, "-X"))];

    /// <summary>
    /// An admin client for the brokers, after checking that one of them accepts connections: an unreachable address
    /// fails at once (exit code 2) instead of after the client's retries run out.
    /// </summary>
    public Task<KafkaAdminClient> ConnectAdminAsync(CancellationToken cancellationToken) =>
        ConnectAdminAsync(ClientSettings(), cancellationToken);

    /// <summary>
    /// As <see cref="ConnectAdminAsync(CancellationToken)"/> for <c>produce</c> and <c>consume</c>, whose <c>-X</c>
    /// settings are meant for the producer or consumer: the admin client (used for metadata and offset look-ups)
    /// takes only the settings every client shares, so <c>-X linger.ms=5</c> is not an unknown admin setting.
    /// </summary>
    public Task<KafkaAdminClient> ConnectAdminWithSharedSettingsAsync(CancellationToken cancellationToken) =>
        ConnectAdminAsync(ClientSettings().Where(p => SharedKeys.Contains(p.Key)).ToDictionary(StringComparer.Ordinal), cancellationToken);

    /// <summary>The client settings a command starts from: a client id, the <c>-X</c> settings, and the brokers.</summary>
    public Dictionary<string, string> ClientSettings()
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["client.id"] = "fastlog-cli" };
        foreach ((string key, string value) in ClientProperties())
        {
            properties[key] = value;
        }

        properties["bootstrap.servers"] = BootstrapServers;
        return properties;
    }

    /// <summary>The keys KafkaClientOptions reads for every kind of client.</summary>
    private static readonly HashSet<string> SharedKeys = new(StringComparer.Ordinal)
    {
        "bootstrap.servers", "client.id", "request.timeout.ms", "socket.connection.setup.timeout.ms", "metadata.max.age.ms", "retry.backoff.ms",
    };

    private static async Task<KafkaAdminClient> ConnectAdminAsync(Dictionary<string, string> properties, CancellationToken cancellationToken)
    {
        AdminOptions options;
        try
        {
            options = AdminOptions.FromConfig(properties);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e.Message);
        }

        await ProbeAsync(options, cancellationToken).ConfigureAwait(false);
        return new KafkaAdminClient(options);
    }

    private static async Task ProbeAsync(AdminOptions options, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        foreach (BrokerAddress address in BrokerAddress.ParseList(options.BootstrapServers))
        {
            try
            {
                KafkaConnection connection = await KafkaConnection.ConnectAsync(address.Host, address.Port, options.ToConnectionOptions(), cancellationToken).ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
                return;
            }
            catch (KafkaException e) when (e.Error is ErrorCode.NetworkException or ErrorCode.RequestTimedOut)
            {
                failures.Add(e.Message);
            }
        }

        throw new CliException(ExitCodes.Unreachable, $"cannot reach broker at {options.BootstrapServers} ({string.Join("; ", failures)})");
    }
}
