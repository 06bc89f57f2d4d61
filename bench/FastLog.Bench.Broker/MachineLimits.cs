using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace FastLog.Bench.Broker;

/// <summary>One fio job's figures.</summary>
internal sealed record FioResult(string Id, string Description, string Flags, string When, double BytesPerSecond, double WritesPerSecond, double? SyncP50Micros, double? SyncP99Micros);

/// <summary>One iperf3 loopback run.</summary>
internal sealed record IperfResult(string When, double BitsPerSecond, double Seconds, string Flags)
{
    public double GBps => BitsPerSecond / 8 / 1e9;
}

/// <summary>The machine's own limits: fio sequential writes on the data disk, iperf3 over loopback.</summary>
internal static class MachineLimits
{
    public const string EndFsync = "seq-1m-end-fsync";
    public const string Fdatasync1M = "seq-1m-fdatasync";

    private static readonly (string Id, string Description, string Flags)[] Jobs =
    [
        (EndFsync, "sequential write, 1 MiB buffered, one fsync at the end", "--bs=1M --end_fsync=1"),
        (Fdatasync1M, "sequential write, 1 MiB buffered, fdatasync after each write", "--bs=1M --fdatasync=1"),
    ];

    /// <summary>Runs the fio jobs in <paramref name="directory"/>; an empty list and a note when fio is missing.</summary>
    public static async Task<(List<FioResult> Results, string Note)> RunFioAsync(string directory, long sizeBytes, int seconds, string when)
    {
        Directory.CreateDirectory(directory);
        var results = new List<FioResult>();
        string? version = await TryRunAsync("fio", "--version");
        if (version is null)
        {
            return (results, "fio is not installed (Debian: `apt-get install -y fio`); disk limits skipped");
        }

        foreach (var (id, description, flags) in Jobs)
        {
            string common = string.Create(CultureInfo.InvariantCulture, $"--rw=write --ioengine=psync {flags} --size={sizeBytes / (1024 * 1024)}M --runtime={seconds}");
            string args = $"--name={id} --directory={directory} {common} --unlink=1 --output-format=json";
            Console.Error.WriteLine($"  fio {id} ({when}) ...");
            try
            {
                string json = await RunAsync("fio", args);
                results.Add(ParseFio(id, description, common, when, json));
            }
            catch (Exception e) when (e is InvalidOperationException or JsonException or KeyNotFoundException)
            {
                Console.Error.WriteLine($"  fio {id} failed: {e.Message}");
            }
        }

        return (results, version);
    }

    /// <summary>
    /// One iperf3 TCP stream over loopback: a one-off server (<c>-s -1</c>) on a free 127.0.0.1 port as
    /// a child process, the client for <paramref name="seconds"/>, then the server is ended.
    /// </summary>
    public static async Task<(IperfResult? Result, string Note)> RunIperfAsync(int seconds, string when)
    {
        string? version = await TryRunAsync("iperf3", "--version");
        if (version is null)
        {
            return (null, "iperf3 is not installed (Debian: `apt-get install -y iperf3`); loopback limit skipped");
        }

        int port = FreeLoopbackPort();
        string portText = port.ToString(CultureInfo.InvariantCulture);
        var serverInfo = new ProcessStartInfo("iperf3", ["-s", "-1", "--forceflush", "-B", "127.0.0.1", "-p", portText])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var server = Process.Start(serverInfo) ?? throw new InvalidOperationException("could not start iperf3 -s");
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening", StringComparison.OrdinalIgnoreCase) == true)
            {
                listening.TrySetResult();
            }
        };
        server.BeginOutputReadLine();
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            Console.Error.WriteLine($"  iperf3 loopback ({when}) ...");
            await Task.WhenAny(listening.Task, Task.Delay(TimeSpan.FromSeconds(15)));
            if (!listening.Task.IsCompleted)
            {
                return (null, $"iperf3 ({when}): the server did not report listening within 15 s");
            }

            string flags = string.Create(CultureInfo.InvariantCulture, $"-c 127.0.0.1 -t {seconds} (one stream)");
            string json = await RunAsync("iperf3", string.Create(CultureInfo.InvariantCulture, $"-c 127.0.0.1 -p {port} -t {seconds} -J"));
            using var document = JsonDocument.Parse(json!);
            var end = document.RootElement.GetProperty("end");
            var received = end.GetProperty("sum_received");
            return (new IperfResult(when, received.GetProperty("bits_per_second").GetDouble(), received.GetProperty("seconds").GetDouble(), flags), version.Split('\n')[0]);
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException or KeyNotFoundException)
        {
            return (null, $"iperf3 ({when}) failed: {e.Message}");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }

            await server.WaitForExitAsync();
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static FioResult ParseFio(string id, string description, string flags, string when, string json)
    {
        int brace = json.IndexOf('{', StringComparison.Ordinal); // fio may print warnings first
        using var document = JsonDocument.Parse(json[brace..]);
        var job = document.RootElement.GetProperty("jobs")[0];
        var write = job.GetProperty("write");
        double? p50 = null, p99 = null;
        if (job.TryGetProperty("sync", out var sync) && sync.TryGetProperty("lat_ns", out var lat) &&
            lat.TryGetProperty("percentile", out var percentiles))
        {
            p50 = percentiles.TryGetProperty("50.000000", out var a) ? a.GetDouble() / 1000 : null;
            p99 = percentiles.TryGetProperty("99.000000", out var b) ? b.GetDouble() / 1000 : null;
        }

        return new FioResult(id, description, flags, when, write.GetProperty("bw_bytes").GetDouble(), write.GetProperty("iops").GetDouble(), p50, p99);
    }

    private static async Task<string> RunAsync(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        string output = await stdout;
        string error = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {error.Trim()} {output.Trim()}".Trim());
        }

        return output;
    }

    /// <summary>Runs a command and returns its trimmed output, or null when it cannot run.</summary>
    public static async Task<string?> TryRunAsync(string file, string arguments)
    {
        try
        {
            return (await RunAsync(file, arguments)).Trim();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
