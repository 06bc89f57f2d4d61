using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace FastLog.Bench.Common;

/// <summary>
/// The machine's own limits, measured in the same run as the figures they bound: fio sequential
/// writes on the data disk (bandwidth with fsync, and fdatasync latency), one iperf3 TCP stream over
/// loopback, and memory copy bandwidth. On a shared machine a limit measured on another day says
/// little, so every harness brackets its rows with these.
/// </summary>
public static class MachineLimits
{
    public const string EndFsync = "seq-1m-end-fsync";
    public const string Fdatasync1M = "seq-1m-fdatasync";
    public const string Fdatasync16K = "seq-16k-fdatasync";
    public const string Fdatasync4K = "seq-4k-fdatasync";
    public const string OSync1M = "seq-1m-osync";

    /// <summary>The fio jobs: id, description, block flags, and a size cap for the small-block ones (each fsync is slow).</summary>
    private static readonly (string Id, string Description, string Flags, long? MaxBytes)[] Jobs =
    [
        (EndFsync, "sequential write, 1 MiB buffered, one fsync at the end", "--bs=1M --end_fsync=1", null),
        (Fdatasync1M, "sequential write, 1 MiB buffered, fdatasync after each write", "--bs=1M --fdatasync=1", null),
        (Fdatasync16K, "sequential write, 16 KiB buffered, fdatasync after each write", "--bs=16k --fdatasync=1", 256L * 1024 * 1024),
        (Fdatasync4K, "sequential write, 4 KiB buffered, fdatasync after each write", "--bs=4k --fdatasync=1", 64L * 1024 * 1024),
        (OSync1M, "sequential write, 1 MiB buffered O_SYNC (how FasterLog's device opens its files here)", "--bs=1M --sync=1", null),
    ];

    /// <summary>
    /// Runs the named fio jobs (in the order given) in <paramref name="directory"/>. Results is null,
    /// and the note says why, when fio is not installed; otherwise the note is fio's version.
    /// </summary>
    public static async Task<(List<FioResult>? Results, string Note)> RunFioAsync(string directory, long sizeBytes, int seconds, string when, params string[] jobIds)
    {
        Directory.CreateDirectory(directory);
        string? version = await ProcessRunner.TryRunAsync("fio", "--version");
        if (version is null)
        {
            return (null, "fio is not installed (Debian: `apt-get install -y fio`); disk limits skipped");
        }

        var results = new List<FioResult>();
        foreach (string jobId in jobIds)
        {
            var (id, description, flags, maxBytes) = Jobs.First(j => j.Id == jobId);
            long size = maxBytes is { } cap ? Math.Min(sizeBytes, cap) : sizeBytes;
            string common = string.Create(CultureInfo.InvariantCulture, $"--rw=write --ioengine=psync {flags} --size={size / (1024 * 1024)}M --runtime={seconds}");
            string args = $"--name={id} --directory={directory} {common} --unlink=1 --output-format=json";
            Console.Error.WriteLine($"  fio {id} ({when}) ...");
            try
            {
                string json = await ProcessRunner.RunAsync("fio", args);
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
        string? version = await ProcessRunner.TryRunAsync("iperf3", "--version");
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
            string json = await ProcessRunner.RunAsync("iperf3", string.Create(CultureInfo.InvariantCulture, $"-c 127.0.0.1 -p {port} -t {seconds} -J"));
            using var document = JsonDocument.Parse(json);
            var received = document.RootElement.GetProperty("end").GetProperty("sum_received");
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

    /// <summary>Copies a large buffer with <see cref="Span{T}.CopyTo"/>; returns GB/s of bytes copied (best of the passes).</summary>
    public static double MemoryCopyGBps(int bytes, int passes = 8)
    {
        var source = GC.AllocateUninitializedArray<byte>(bytes);
        var destination = GC.AllocateUninitializedArray<byte>(bytes);
        new Random(7).NextBytes(source);
        source.AsSpan().CopyTo(destination); // touch every page first
        double best = 0;
        for (int i = 0; i < passes; i++)
        {
            long start = Stopwatch.GetTimestamp();
            source.AsSpan().CopyTo(destination);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, bytes / 1e9 / seconds);
        }

        return best;
    }

    /// <summary>A port that was free on 127.0.0.1 a moment ago.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static FioResult ParseFio(string id, string description, string flags, string when, string json)
    {
        // fio may print warnings before the JSON document.
        int brace = json.IndexOf('{', StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json[brace..]);
        var job = document.RootElement.GetProperty("jobs")[0];
        var write = job.GetProperty("write");
        double? p50 = null;
        double? p99 = null;
        if (job.TryGetProperty("sync", out var sync) && sync.TryGetProperty("lat_ns", out var lat) &&
            lat.TryGetProperty("percentile", out var percentiles))
        {
            p50 = Percentile(percentiles, "50.000000");
            p99 = Percentile(percentiles, "99.000000");
        }

        return new FioResult(
            id, description, flags, when, write.GetProperty("bw_bytes").GetDouble(), write.GetProperty("iops").GetDouble(), p50, p99,
            write.GetProperty("io_bytes").GetInt64(), write.GetProperty("runtime").GetDouble() / 1000);
    }

    private static double? Percentile(JsonElement percentiles, string key) =>
        percentiles.TryGetProperty(key, out var value) ? value.GetDouble() / 1000 : null;
}
