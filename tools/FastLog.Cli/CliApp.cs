using System.CommandLine;
using System.CommandLine.Parsing;
using FastLog.Cli.Commands;
using FastLog.Client;
using FastLog.Protocol;

namespace FastLog.Cli;

/// <summary>
/// The <c>fastlog</c> command line: builds the command tree, parses, runs the chosen command and maps failures to
/// one stderr line and an exit code (see <see cref="ExitCodes"/>). Everything goes through <see cref="CliIo"/>, so
/// tests run commands in-process exactly as the executable does.
/// </summary>
internal static class CliApp
{
    public const string Name = "fastlog";

    /// <summary>Runs one command line with the given streams.</summary>
    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        RunAsync(args, CliIo.Of(stdin, stdout, stderr, environment), handleTermination: false, cancellationToken);

    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments after the program name.</param>
    /// <param name="io">Streams and environment.</param>
    /// <param name="handleTermination">Turn Ctrl-C and SIGTERM into cancellation (the real process only).</param>
    /// <param name="cancellationToken">Stops a long-running command (a consumer, a broker).</param>
    public static async Task<int> RunAsync(string[] args, CliIo io, bool handleTermination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(io);
        var globals = new GlobalOptions();
        RootCommand root = Build(globals, io);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (ParseError error in parse.Errors)
            {
                await io.Error.WriteLineAsync($"{Name}: {error.Message}").ConfigureAwait(false);
            }

            await io.Error.WriteLineAsync($"Run '{CommandPath(parse.CommandResult)} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = io.Out,
            Error = io.Error,
            EnableDefaultExceptionHandler = false,

            // A broker needs a moment to flush and close its logs after Ctrl-C.
            ProcessTerminationTimeout = handleTermination ? TimeSpan.FromSeconds(30) : null,
        };
        return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static RootCommand Build(GlobalOptions globals, CliIo io)
    {
        var root = new RootCommand("FastLog command-line tool: topics, consumer groups, producing and consuming, the cluster, and a broker.")
        {
            HelpName = Name,
        };
        globals.AddTo(root);
        var runner = new CommandRunner(globals, io);
        root.Subcommands.Add(TopicCommands.Build(runner));
        root.Subcommands.Add(GroupCommands.Build(runner));
        root.Subcommands.Add(ProduceCommand.Build(runner));
        root.Subcommands.Add(ConsumeCommand.Build(runner));
        root.Subcommands.Add(ClusterCommands.Build(runner));
        root.Subcommands.Add(BrokerCommands.Build(runner));
        return root;
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is not null; result = result.Parent)
        {
            if (result is CommandResult c)
            {
                names.Add(c.Command is RootCommand ? Name : c.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
