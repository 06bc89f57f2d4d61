using System.CommandLine;
using FastLog.Cli.Output;
using FastLog.Server.Broker;
using Microsoft.Extensions.Logging;

namespace FastLog.Cli.Commands;

/// <summary>
/// <c>fastlog broker start [server.properties] [--override key=value]...</c>: the broker the FastLog.Broker executable
/// runs (same <see cref="BrokerHost"/> start-up, settings and exit codes), in the foreground until Ctrl-C or SIGTERM.
/// Logs go to stderr; one line on stdout says where clients connect once it serves.
/// </summary>
internal static class BrokerCommands
{
    public static Command Build(CommandRunner runner)
    {
        var broker = new Command("broker", "Run a broker");
        var properties = new Argument<string?>("server.properties") { Description = "Broker settings file (Kafka's names)", Arity = ArgumentArity.ZeroOrOne };
        var overrides = new Option<string[]>("--override") { Description = "A broker setting, key=value, over the file and FASTLOG_* variables; repeatable", HelpName = "key=value" };
        var logLevel = new Option<LogLevel>("--log-level") { Description = "Least severe log level written to stderr", DefaultValueFactory = _ => LogLevel.Information };
        var start = new Command("start", "Start a single-node broker in the foreground; Ctrl-C stops it cleanly") { properties, overrides, logLevel };
        runner.SetAction(start, async (ctx, ct) =>
        {
            using var loggerFactory = LoggerFactory.Create(builder => builder
                .AddProvider(new TextWriterLoggerProvider(ctx.Error, ctx.Value(logLevel)))
                .SetMinimumLevel(ctx.Value(logLevel)));
            return await BrokerHost.RunAsync(
                new BrokerHostOptions
                {
                    PropertiesFile = ctx.Value(properties),
                    Overrides = ctx.Value(overrides) ?? [],
                    Environment = BrokerEnvironment(ctx.Io),
                    LoggerFactory = loggerFactory,
                    Output = ctx.Out,
                    Error = ctx.Error,
                    HandleSignals = false,
                    Started = started => ctx.Out.WriteLine($"Broker {started.Config.NodeId} ready at {started.BootstrapServers}"),
                },
                ct);
        });
        broker.Subcommands.Add(start);
        return broker;
    }

    /// <summary>The process environment; the broker itself skips variables such as the CLI's <c>FASTLOG_BROKERS</c>.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> BrokerEnvironment(CliIo io) =>
        io.Variables
            .Select(e => KeyValuePair.Create(e.Key, (string?)e.Value));
}
