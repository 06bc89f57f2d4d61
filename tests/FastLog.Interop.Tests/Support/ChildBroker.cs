using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FastLog.Interop.Tests.Support;

/// <summary>
/// The standalone broker (FastLog.Broker.dll) run as a child process on 127.0.0.1 with a free port
/// and a given data directory. Disposing kills it by its handle if it still runs.
/// </summary>
internal sealed class ChildBroker : IAsyncDisposable
{
    private const string ReadyMarker = "serving Kafka clients at";
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildBroker(Process process, int port)
    {
        _process = process;
        Port = port;
        BootstrapServers = $"127.0.0.1:{port}";
    }

    public string BootstrapServers { get; }

    public int ProcessId => _process.Id;

    /// <summary>Everything the child wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public int Port { get; }

    /// <summary>Starts the broker again on a port an earlier broker used, so that running clients reconnect to it.</summary>
    public static async Task<ChildBroker> StartOnPortAsync(int port, string dataDirectory, params string[] overrides)
    {
        var broker = Launch(port, dataDirectory, overrides);
        await Task.WhenAny(broker._ready.Task, broker._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (!broker._ready.Task.IsCompleted)
        {
            string output = broker.Output;
            await broker.DisposeAsync();
            Assert.Fail($"the broker child did not start on port {port}:\n{output}");
        }

        return broker;
    }

    public static async Task<ChildBroker> StartAsync(string dataDirectory, params string[] overrides)
    {
        // A freed ephemeral port can be taken by someone else before the child binds it: try a few.
        for (int attempt = 1; ; attempt++)
        {
            var broker = Launch(FreePort(), dataDirectory, overrides);
            var finished = await Task.WhenAny(broker._ready.Task, broker._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            if (broker._ready.Task.IsCompleted)
            {
                return broker;
            }

            string output = broker.Output;
            await broker.DisposeAsync();
            bool portTaken = output.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
            Assert.True(portTaken && attempt < 3, $"the broker child did not start:\n{output}");
        }
    }

    /// <summary>SIGKILL: no flush, no checkpoint, no clean-shutdown marker.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM and waits (bounded) for the child to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var kill = await ChildProcess.RunAsync("/bin/sh", ["-c", $"kill -TERM {_process.Id}"], timeout: TimeSpan.FromSeconds(10));
        Assert.True(kill.ExitCode == 0, kill.Describe("kill -TERM"));
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the broker did not exit within {timeout} of SIGTERM:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static ChildBroker Launch(int port, string dataDirectory, string[] overrides)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(BrokerAssemblyPath());
        start.ArgumentList.Add("--override");
        start.ArgumentList.Add($"listeners=PLAINTEXT://127.0.0.1:{port}");
        start.ArgumentList.Add("--override");
        start.ArgumentList.Add($"log.dirs={dataDirectory}");

        // Children run side by side: the default metrics port would be taken by the first one.
        start.ArgumentList.Add("--override");
        start.ArgumentList.Add("metrics.listener=127.0.0.1:0");
        foreach (string setting in overrides)
        {
            start.ArgumentList.Add("--override");
            start.ArgumentList.Add(setting);
        }

        var process = new Process { StartInfo = start };
        var broker = new ChildBroker(process, port);
        process.OutputDataReceived += (_, e) => broker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => broker.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return broker;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.Contains(ReadyMarker, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string BrokerAssemblyPath()
    {
        // Built next to this test project (ProjectReference without the assembly): same configuration and framework folders.
        string testDirectory = AppContext.BaseDirectory;
        string brokerDirectory = testDirectory
            .Replace("tests/FastLog.Interop.Tests", "server/FastLog.Broker", StringComparison.Ordinal)
            .Replace("FastLog.Interop.Tests", "FastLog.Broker", StringComparison.Ordinal);
        string path = Path.Combine(brokerDirectory, "FastLog.Broker.dll");
        Assert.True(File.Exists(path), $"the standalone broker is not built at {path}");
        return path;
    }
}
