using System.Net;
using System.Net.Sockets;
using FastLog.Cli.Tests.Support;
using static FastLog.Cli.Tests.Support.Cli;

namespace FastLog.Cli.Tests;

/// <summary>Exit codes of <c>produce</c> and <c>consume</c> when they cannot do their job.</summary>
public sealed class ProduceConsumeErrorTests
{
    [Theory]
    [InlineData("produce")]
    [InlineData("consume")]
    public async Task An_unreachable_broker_exits_2(string command)
    {
        int port = FreePort();

        CliResult result = await RunAsync(command, "t", "-b", $"127.0.0.1:{port}");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"fastlog: cannot reach broker at 127.0.0.1:{port} (", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "consume", "t", "--bogus" }, "Unrecognized command or argument '--bogus'.")]
    [InlineData(new[] { "consume", "t", "--offset", "3" }, "--offset needs --partition.")]
    [InlineData(new[] { "consume", "t", "--from-beginning", "--timestamp", "5" }, "Give at most one of --from-beginning, --offset and --timestamp.")]
    [InlineData(new[] { "consume", "t", "--group", "g", "--partition", "0" }, "--group cannot be combined with --partition, --offset or --timestamp.")]
    [InlineData(new[] { "consume", "t", "--format", "xml" }, "Argument 'xml' not recognized.")]
    [InlineData(new[] { "produce", "t", "--acks", "2" }, "Argument '2' not recognized.")]
    [InlineData(new[] { "produce", "t", "--compression", "brotli" }, "Argument 'brotli' not recognized.")]
    public async Task Bad_arguments_exit_1(string[] args, string message)
    {
        CliResult result = await RunAsync(args);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_topic_the_broker_will_not_create_exits_3_for_produce_and_consume()
    {
        await using var broker = await StartBrokerAsync(("auto.create.topics.enable", "false"));

        CliResult produced = await RunWithInputAsync(broker, "a\n", "produce", "nope");
        CliResult consumed = await RunAsync(broker, "consume", "nope", "-n", "1");

        Assert.Equal(3, produced.ExitCode);
        Assert.Equal(
            "fastlog: Topic 'nope' does not exist and is not created automatically (auto.create.topics.enable=false on the broker); create it with 'fastlog topic create nope'.",
            produced.Error.TrimEnd());
        Assert.Equal(3, consumed.ExitCode);
        Assert.Equal("fastlog: Topic 'nope' does not exist.", consumed.Error.TrimEnd());
    }

    [Fact]
    public async Task A_missing_topic_is_created_on_first_produce_when_the_broker_allows_it()
    {
        await using var broker = await StartBrokerAsync();

        CliResult produced = await RunWithInputAsync(broker, "a\n", "produce", "fresh");
        CliResult consumed = await OkAsync(broker, "consume", "fresh", "--from-beginning", "-n", "1");

        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Equal(["a"], consumed.OutLines);
    }

    [Fact]
    public async Task A_partition_the_topic_lacks_fails_delivery_with_exit_code_3()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "1");

        CliResult produced = await RunWithInputAsync(broker, "a\n", "produce", "t", "--partition", "5");

        Assert.Equal(3, produced.ExitCode);
        Assert.Contains("partition 5 does not exist", produced.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Producer_settings_pass_through_with_X_and_unknown_ones_exit_1()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "1");

        CliResult accepted = await RunWithInputAsync(broker, "a\n", "produce", "t", "-X", "linger.ms=0", "-X", "request.timeout.ms=5000");
        CliResult unknown = await RunWithInputAsync(broker, "a\n", "produce", "t", "-X", "fetch.min.bytes=1");

        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("fastlog: Unknown client property: fetch.min.bytes.", unknown.Error.TrimEnd());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
