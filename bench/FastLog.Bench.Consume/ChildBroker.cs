using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FastLog.Bench.Consume;

/// <summary>
/// The FastLog broker as a child process on a free loopback port (its address read from the start-up line), so
/// the broker's work and garbage collections stay out of the measured client process. Stopped with SIGTERM.
/// </summary>
internal sealed partial class ChildBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ChildBroker(Process process)
    {
        _process = process;
    }

    public string Bootstrap { get; private set; } = string.Empty;

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static string LocateDll()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FastLog.sln")))
            {
                string dll = Path.Combine(dir.FullName, "server", "FastLog.Broker", "bin", "Release", "net10.0", "FastLog.Broker.dll");
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the broker in Release first: {dll}");
            }
        }

        throw new FileNotFoundException("FastLog.sln not found above the harness; pass --broker-dll");
    }

    public static async Task<ChildBroker> StartAsync(string dll, string logDir)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { dll, "--override", "listeners=PLAINTEXT://127.0.0.1:0", "--override", $"log.dirs={logDir}" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the broker");
        var broker = new ChildBroker(process);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => broker.OnLine(e.Data, ready);
        process.ErrorDataReceived += (_, e) => broker.OnLine(e.Data, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Task first = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != ready.Task)
        {
            await broker.DisposeAsync();
            throw new InvalidOperationException("the broker did not start:\n" + string.Join('\n', broker._output.TakeLast(20)));
        }

        broker.Bootstrap = await ready.Task;
        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (Process? kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                if (kill is not null)
                {
                    await kill.WaitForExitAsync();
                }
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line, TaskCompletionSource<string> ready)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }

        Match match = StartedLine().Match(line);
        if (match.Success)
        {
            ready.TrySetResult(match.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"serving Kafka clients at (\S+),")]
    private static partial Regex StartedLine();
}
