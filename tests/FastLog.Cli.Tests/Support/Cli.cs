using System.Text.Json;
using FastLog.Server.Broker;

namespace FastLog.Cli.Tests.Support;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public JsonElement Json() => JsonDocument.Parse(Out).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>Runs the CLI's entry point in-process, as the executable would with these arguments.</summary>
internal static class Cli
{
    /// <summary>Only catches a command that never returns; not a speed check.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync((IReadOnlyDictionary<string, string>?)null, args);

    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exitCode = await CliApp.RunAsync(args, new StringReader(string.Empty), stdout, stderr, environment).WaitAsync(HangGuard);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a command against <paramref name="broker"/> with <paramref name="stdin"/> as its input.</summary>
    public static async Task<CliResult> RunWithInputAsync(FastLogBroker broker, string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exitCode = await CliApp.RunAsync([.. args, "-b", broker.BootstrapServers], new StringReader(stdin), stdout, stderr).WaitAsync(HangGuard);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a command against <paramref name="broker"/> (adds <c>-b</c>).</summary>
    public static Task<CliResult> RunAsync(FastLogBroker broker, params string[] args) => RunAsync((IReadOnlyDictionary<string, string>?)null, [.. args, "-b", broker.BootstrapServers]);

    /// <summary>Runs a command that must succeed, failing the test with its output otherwise.</summary>
    public static async Task<CliResult> OkAsync(FastLogBroker broker, params string[] args)
    {
        CliResult result = await RunAsync(broker, args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    public static Task<FastLogBroker> StartBrokerAsync(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string>
        {
            ["num.partitions"] = "2",
            ["group.initial.rebalance.delay.ms"] = "0",
            ["offsets.topic.num.partitions"] = "1",
            ["group.min.session.timeout.ms"] = "1000",
        };
        foreach ((string key, string value) in overrides)
        {
            settings[key] = value;
        }

        return FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = settings });
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails only if it never does within the hang guard.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (!await condition())
        {
            Assert.False(guard.IsCancellationRequested, $"never happened: {what}");
            await Task.Delay(50);
        }
    }
}
