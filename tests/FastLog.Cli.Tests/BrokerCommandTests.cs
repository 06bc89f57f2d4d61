using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FastLog.Cli.Tests.Support;
using static FastLog.Cli.Tests.Support.Cli;

namespace FastLog.Cli.Tests;

public sealed class BrokerCommandTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "fastlog-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Broker_start_serves_clients_until_cancelled_then_stops_cleanly()
    {
        var stdout = new SyncWriter();
        var stderr = new SyncWriter();
        using var stop = new CancellationTokenSource();

        // FASTLOG_BROKERS is the CLI's own variable, not a broker setting: the broker must not refuse it.
        var environment = new Dictionary<string, string> { ["FASTLOG_BROKERS"] = "127.0.0.1:1", ["FASTLOG_NUM_PARTITIONS"] = "4" };
        Task<int> running = CliApp.RunAsync(
            ["broker", "start", "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", "metrics.listener=127.0.0.1:0", "--override", $"log.dirs={_dataDirectory}"],
            new StringReader(string.Empty),
            stdout,
            stderr,
            environment,
            stop.Token);
        try
        {
            await EventuallyAsync(() => Task.FromResult(stdout.Text.Contains(" ready at ", StringComparison.Ordinal) || running.IsCompleted), "the broker is ready");
            Assert.False(running.IsCompleted, $"broker start ended early:\n{stdout.Text}\n{stderr.Text}");
            string bootstrap = Regex.Match(stdout.Text, @"Broker 1 ready at (\S+)").Groups[1].Value;

            CliResult created = await RunAsync("topic", "create", "t", "-b", bootstrap);
            CliResult described = await RunAsync("topic", "describe", "t", "-b", bootstrap);

            Assert.Equal(0, created.ExitCode);
            Assert.Contains("Partitions: 4", described.Out, StringComparison.Ordinal);
            Assert.Contains("serving Kafka clients at", stderr.Text, StringComparison.Ordinal);
        }
        finally
        {
            await stop.CancelAsync();
        }

        Assert.Equal(0, await running.WaitAsync(HangGuard));
        Assert.Contains("FastLog shutting down", stdout.Text, StringComparison.Ordinal);
        Assert.Contains("FastLog stopped cleanly", stderr.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_start_refuses_an_unknown_setting_with_the_broker_exit_code()
    {
        CliResult result = await RunAsync("broker", "start", "--override", "no.such.setting=1", "--override", $"log.dirs={_dataDirectory}");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("configuration error: unknown setting 'no.such.setting'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broker_start_on_a_port_that_cannot_be_bound_fails_with_exit_code_1()
    {
        using var blocker = new Socket(SocketType.Stream, ProtocolType.Tcp);
        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blocker.Listen();
        int port = ((IPEndPoint)blocker.LocalEndPoint!).Port;

        CliResult result = await RunAsync("broker", "start", "--override", $"listeners=PLAINTEXT://127.0.0.1:{port}", "--override", "metrics.listener=", "--override", $"log.dirs={_dataDirectory}");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("start-up failed:", result.Error, StringComparison.Ordinal);
    }
}
