using System.Net;
using System.Net.Sockets;
using FastLog.Cli.Tests.Support;
using static FastLog.Cli.Tests.Support.Cli;

namespace FastLog.Cli.Tests;

/// <summary>Exit codes and messages when nothing can be done: bad arguments, no broker, refused settings.</summary>
public sealed class ErrorPathTests
{
    [Fact]
    public async Task An_unreachable_broker_exits_2_naming_the_address()
    {
        int port = FreePort();

        CliResult result = await RunAsync("topic", "list", "-b", $"127.0.0.1:{port}");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"fastlog: cannot reach broker at 127.0.0.1:{port} (", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task The_broker_list_comes_from_FASTLOG_BROKERS_when_no_flag_is_given_and_the_flag_wins()
    {
        await using var broker = await StartBrokerAsync();
        var environment = new Dictionary<string, string> { ["FASTLOG_BROKERS"] = broker.BootstrapServers };

        CliResult fromEnvironment = await RunAsync(environment, "cluster", "info");
        CliResult flagWins = await RunAsync(environment, "cluster", "info", "--bootstrap-server", $"127.0.0.1:{FreePort()}");

        Assert.Equal(0, fromEnvironment.ExitCode);
        Assert.Equal("Controller: 1", fromEnvironment.OutLines[1]);
        Assert.Equal(2, flagWins.ExitCode);
    }

    [Fact]
    public async Task Client_settings_pass_through_with_X_and_unknown_or_malformed_ones_are_usage_errors()
    {
        await using var broker = await StartBrokerAsync();

        CliResult accepted = await RunAsync(broker, "cluster", "info", "-X", "request.timeout.ms=5000", "-X", "client.id=ops");
        CliResult unknown = await RunAsync(broker, "cluster", "info", "-X", "linger.ms=5");
        CliResult malformed = await RunAsync(broker, "cluster", "info", "-X", "request.timeout.ms");
        CliResult badValue = await RunAsync(broker, "cluster", "info", "-X", "request.timeout.ms=soon");

        Assert.Equal(0, accepted.ExitCode);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("fastlog: Unknown client property: linger.ms.", unknown.Error.TrimEnd());
        Assert.Equal(1, malformed.ExitCode);
        Assert.Equal("fastlog: -X 'request.timeout.ms' is not key=value", malformed.Error.TrimEnd());
        Assert.Equal(1, badValue.ExitCode);
        Assert.StartsWith("fastlog: Client property request.timeout.ms=soon must be an integer", badValue.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "bogus" }, "fastlog: Unrecognized command or argument 'bogus'.")]
    [InlineData(new[] { "topic" }, "fastlog: Required command was not provided.")]
    [InlineData(new[] { "topic", "create" }, "fastlog: Required argument 'topic' missing for command: 'create'.")]
    [InlineData(new[] { "topic", "create", "t", "--partitions", "many" }, "fastlog: Cannot parse argument 'many' for option '--partitions' as expected type 'System.Int32'.")]
    [InlineData(new[] { "topic", "list", "--output", "xml" }, "fastlog: Argument 'xml' not recognized. Must be one of:")]
    public async Task Bad_arguments_are_usage_errors_with_exit_code_1_and_a_pointer_to_help(string[] args, string message)
    {
        CliResult result = await RunAsync(args);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Matches(@"\nRun 'fastlog[a-z -]*--help' for usage\.", result.Error);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Help_lists_the_commands_on_stdout_and_exits_0()
    {
        CliResult root = await RunAsync("--help");
        CliResult group = await RunAsync("group", "--help");

        Assert.Equal(0, root.ExitCode);
        Assert.Contains("fastlog [command] [options]", root.Out, StringComparison.Ordinal);
        foreach (string command in new[] { "topic", "group", "produce", "consume", "cluster", "broker" })
        {
            Assert.Contains($"  {command}", root.Out, StringComparison.Ordinal);
        }

        Assert.Contains("--bootstrap-server", root.Out, StringComparison.Ordinal);
        Assert.Equal(0, group.ExitCode);
        Assert.Contains("reset-offsets", group.Out, StringComparison.Ordinal);
        Assert.Empty(root.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
