using FastLog.Server.Broker;
using Microsoft.Extensions.Logging;

// FastLog broker. Usage: FastLog.Broker [server.properties] [--override key=value]...
// Settings use Kafka's names; FASTLOG_* environment variables (FASTLOG_LOG_DIRS → log.dirs) sit
// between the file and the overrides. SIGTERM or Ctrl-C stops it cleanly (exit code 0).
// The start-up itself lives in BrokerHost, shared with `fastlog broker start`.
string? propertiesFile = null;
var overrides = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--override" && i + 1 < args.Length)
    {
        overrides.Add(args[++i]);
    }
    else if (args[i] is "-h" or "--help")
    {
        Console.WriteLine($"usage: FastLog.Broker {BrokerHost.Usage}");
        return 0;
    }
    else if (propertiesFile is null && !args[i].StartsWith("--", StringComparison.Ordinal))
    {
        propertiesFile = args[i];
    }
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: FastLog.Broker {BrokerHost.Usage}");
        return 2;
    }
}

using var loggerFactory = LoggerFactory.Create(builder => builder
    .AddSimpleConsole(options =>
    {
        options.SingleLine = true;
        options.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
    })
    .SetMinimumLevel(LogLevel.Information));

return await BrokerHost.RunAsync(
    new BrokerHostOptions
    {
        PropertiesFile = propertiesFile,
        Overrides = overrides,
        LoggerFactory = loggerFactory,
        Output = Console.Out,
        Error = Console.Error,
    },
    CancellationToken.None);
