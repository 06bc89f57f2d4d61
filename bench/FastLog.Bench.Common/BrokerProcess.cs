using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FastLog.Bench.Common;

/// <summary>
/// The FastLog broker as a child process (<c>dotnet FastLog.Broker.dll</c>, server GC from its own
/// runtimeconfig), listening on a free loopback port; its bootstrap address is read from its
/// start-up log line. Stopped with SIGTERM.
/// </summary>
public sealed partial class BrokerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private BrokerProcess(Process process, string bootstrap)
    {
        _process = process;
        Bootstrap = bootstrap;
    }

    public string Bootstrap { get; private set; }

    public int Pid => _process.Id;

    /// <summary>The broker's CPU time so far (user + system, every thread).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The broker's resident set in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>The last lines the broker printed (for failures).</summary>
    public string Tail => string.Join('\n', _output.TakeLast(20));

    public static async Task<BrokerProcess> StartAsync(string dll, string logDir, TimeSpan timeout, params string[] overrides)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--override");
        info.ArgumentList.Add("listeners=PLAINTEXT://127.0.0.1:0");
        info.ArgumentList.Add("--override");
        info.ArgumentList.Add($"log.dirs={logDir}");

        // A free port for /metrics too, so a broker already serving the default port does not stop this one.
        info.ArgumentList.Add("--override");
        info.ArgumentList.Add("metrics.listener=127.0.0.1:0");
        foreach (string setting in overrides)
        {
            info.ArgumentList.Add("--override");
            info.ArgumentList.Add(setting);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the broker");
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var broker = new BrokerProcess(process, string.Empty);
        process.OutputDataReceived += (_, e) => broker.OnLine(e.Data, ready);
        process.ErrorDataReceived += (_, e) => broker.OnLine(e.Data, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(timeout));
        if (first != ready.Task)
        {
            string why = first == exited ? $"exited with {process.ExitCode}" : $"did not report its address within {timeout.TotalSeconds:F0} s";
            await broker.DisposeAsync();
            throw new InvalidOperationException($"the broker {why}:\n{broker.Tail}");
        }

        broker.Bootstrap = await ready.Task;
        return broker;
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

        var match = StartedLine().Match(line);
        if (match.Success)
        {
            ready.TrySetResult(match.Groups[1].Value);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                if (kill is not null)
                {
                    await kill.WaitForExitAsync();
                }
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"serving Kafka clients at (\S+),")]
    private static partial Regex StartedLine();
}
