using System.Runtime.InteropServices;
using FastLog.Server.Broker;
using FastLog.Server.Configuration;
using Microsoft.Extensions.Logging;

// FastLog broker. Usage: FastLog.Broker [server.properties] [--override key=value]...
// Settings use Kafka's names; FASTLOG_* environment variables (FASTLOG_LOG_DIRS → log.dirs) sit
// between the file and the overrides. SIGTERM or Ctrl-C stops it cleanly (exit code 0).
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
        Console.WriteLine("usage: FastLog.Broker [server.properties] [--override key=value]...");
        return 0;
    }
    else if (propertiesFile is null && !args[i].StartsWith("--", StringComparison.Ordinal))
    {
        propertiesFile = args[i];
    }
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: FastLog.Broker [server.properties] [--override key=value]...");
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

BrokerConfig config;
try
{
    var environment = Environment.GetEnvironmentVariables()
        .Cast<System.Collections.DictionaryEntry>()
        .Select(e => KeyValuePair.Create((string)e.Key, (string?)e.Value));
    config = BrokerConfig.Load(propertiesFile, environment, overrides);
}
catch (BrokerConfigException e)
{
    Console.Error.WriteLine($"configuration error: {e.Message}");
    return 2;
}

FastLogBroker broker;
try
{
    broker = FastLogBroker.Start(config, TimeProvider.System, loggerFactory);
}
catch (Exception e) when (e is BrokerConfigException or IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"start-up failed: {e.Message}");
    return 1;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    stop.TrySetResult();
});

await stop.Task;
Console.WriteLine("FastLog shutting down");
await broker.DisposeAsync();
return 0;
