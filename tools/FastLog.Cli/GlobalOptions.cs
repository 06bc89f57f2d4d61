using System.CommandLine;

namespace FastLog.Cli;

/// <summary>Options every command accepts (declared recursive on the root command).</summary>
internal sealed class GlobalOptions
{
    /// <summary>Where the broker list comes from when <c>--bootstrap-server</c> is not given.</summary>
    public const string BrokersVariable = "FASTLOG_BROKERS";

    public const string DefaultBootstrap = "localhost:9092";

    public Option<string?> Bootstrap { get; } = new("--bootstrap-server", "-b")
    {
        Description = $"Brokers to connect to, host:port[,host:port...] (default: ${BrokersVariable}, else {DefaultBootstrap})",
        HelpName = "host:port",
        Recursive = true,
    };

    public Option<string[]> ClientConfig { get; } = new("-X")
    {
        Description = "A Kafka client setting, key=value (e.g. -X request.timeout.ms=5000); repeatable",
        HelpName = "key=value",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string> Output { get; } = new("--output", "-o")
    {
        Description = "Output format: text (aligned tables) or json",
        HelpName = "format",
        Recursive = true,
        DefaultValueFactory = _ => "text",
    };

    public GlobalOptions() => Output.AcceptOnlyFromAmong("text", "json");

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Bootstrap);
        root.Options.Add(ClientConfig);
        root.Options.Add(Output);
    }
}
