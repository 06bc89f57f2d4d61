using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FastLog.Bench.Engine;

/// <summary>One fio job's figures.</summary>
internal sealed record FioResult(string Id, string Description, string Flags, double BytesPerSecond, double WritesPerSecond, double? SyncP50Micros, double? SyncP99Micros, long IoBytes, double Seconds);

/// <summary>The machine's own limits: fio sequential writes on the data disk, and memory copy bandwidth.</summary>
internal static class MachineLimits
{
    public const string EndFsync = "seq-1m-end-fsync";
    public const string Fdatasync1M = "seq-1m-fdatasync";
    public const string Fdatasync16K = "seq-16k-fdatasync";
    public const string OSync1M = "seq-1m-osync";

    /// <summary>The fio jobs: id, description, flags.</summary>
    private static readonly (string Id, string Description, string Flags)[] Jobs =
    [
        (EndFsync, "sequential write, 1 MiB buffered, one fsync at the end", "--bs=1M --end_fsync=1"),
        (Fdatasync1M, "sequential write, 1 MiB buffered, fdatasync after each write", "--bs=1M --fdatasync=1"),
        (Fdatasync16K, "sequential write, 16 KiB buffered, fdatasync after each write", "--bs=16k --fdatasync=1"),
        (OSync1M, "sequential write, 1 MiB buffered O_SYNC (how FasterLog's device opens its files here)", "--bs=1M --sync=1"),
    ];

    /// <summary>
    /// Runs the fio jobs in <paramref name="directory"/> (after the rows only the two 1 MiB buffered
    /// ones, to bracket the engine rows); null (and a reason) when fio is missing.
    /// </summary>
    public static async Task<(List<FioResult>? Results, string Note)> RunFioAsync(string directory, long sizeBytes, int seconds, bool beforeRows)
    {
        Directory.CreateDirectory(directory);
        var results = new List<FioResult>();
        string version;
        try
        {
            version = (await RunProcessAsync("fio", "--version")).Trim();
        }
        catch (Win32Exception)
        {
            return (null, "fio is not installed (Debian: `apt-get install -y fio`); machine write limits skipped");
        }

        foreach (var (id, description, flags) in Jobs)
        {
            if (!beforeRows && id is not (EndFsync or Fdatasync1M))
            {
                continue;
            }

            long size = id == Fdatasync16K ? Math.Min(sizeBytes, 256L * 1024 * 1024) : sizeBytes;
            string args = string.Create(CultureInfo.InvariantCulture,
                $"--name={id} --directory={directory} --rw=write --ioengine=psync {flags} --size={size} --runtime={seconds} --unlink=1 --output-format=json");
            Console.Error.WriteLine($"  fio {id} ...");
            try
            {
                string json = await RunProcessAsync("fio", args);
                results.Add(Parse(id, description, CommonFlags(flags, size, seconds), json));
            }
            catch (Exception e) when (e is InvalidOperationException or JsonException or KeyNotFoundException)
            {
                Console.Error.WriteLine($"  fio {id} failed: {e.Message}");
            }
        }

        return (results, version);
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

    /// <summary>
    /// The page-cache ceiling of this runtime and kernel for the engine's I/O pattern: sequential
    /// <see cref="RandomAccess.Write(Microsoft.Win32.SafeHandles.SafeFileHandle, ReadOnlySpan{byte}, long)"/>
    /// of <paramref name="blockBytes"/> blocks into a new file (no fsync), then sequential 1 MiB
    /// <c>RandomAccess.Read</c>s of it back into one buffer. Returns MB/s for both.
    /// </summary>
    public static (double WriteMBps, double ReadMBps) PageCacheCeiling(string directory, int blockBytes, long totalBytes)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "ceiling.dat");
        var block = GC.AllocateUninitializedArray<byte>(blockBytes, pinned: true);
        new Random(11).NextBytes(block);
        long blocks = Math.Max(1, totalBytes / blockBytes);
        try
        {
            double write;
            using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite))
            {
                long start = Stopwatch.GetTimestamp();
                for (long i = 0; i < blocks; i++)
                {
                    RandomAccess.Write(handle, block, i * blockBytes);
                }

                write = blocks * blockBytes / 1e6 / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            var buffer = GC.AllocateUninitializedArray<byte>(1024 * 1024, pinned: true);
            double read;
            using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
            {
                long length = blocks * blockBytes;
                long position = 0;
                long start = Stopwatch.GetTimestamp();
                while (position < length)
                {
                    int n = RandomAccess.Read(handle, buffer, position);
                    if (n == 0)
                    {
                        break;
                    }

                    position += n;
                }

                read = position / 1e6 / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }

            return (write, read);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string CommonFlags(string flags, long size, int seconds) =>
        string.Create(CultureInfo.InvariantCulture, $"--rw=write --ioengine=psync {flags} --size={size / (1024 * 1024)}M --runtime={seconds}");

    private static FioResult Parse(string id, string description, string flags, string json)
    {
        // fio may print warnings before the JSON document.
        int brace = json.IndexOf('{', StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json[brace..]);
        var job = document.RootElement.GetProperty("jobs")[0];
        var write = job.GetProperty("write");
        double bandwidth = write.GetProperty("bw_bytes").GetDouble();
        double iops = write.GetProperty("iops").GetDouble();
        long ioBytes = write.GetProperty("io_bytes").GetInt64();
        double seconds = write.GetProperty("runtime").GetDouble() / 1000;
        double? p50 = null;
        double? p99 = null;
        if (job.TryGetProperty("sync", out var sync) && sync.TryGetProperty("lat_ns", out var lat) &&
            lat.TryGetProperty("percentile", out var percentiles))
        {
            p50 = Percentile(percentiles, "50.000000");
            p99 = Percentile(percentiles, "99.000000");
        }

        return new FioResult(id, description, flags, bandwidth, iops, p50, p99, ioBytes, seconds);
    }

    private static double? Percentile(JsonElement percentiles, string key) =>
        percentiles.TryGetProperty(key, out var value) ? value.GetDouble() / 1000 : null;

    private static async Task<string> RunProcessAsync(string file, string arguments)
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
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {error.Trim()}");
        }

        return output;
    }

    /// <summary>Runs a command and returns its trimmed output, or null when it cannot run.</summary>
    public static async Task<string?> TryRunAsync(string file, string arguments)
    {
        try
        {
            return (await RunProcessAsync(file, arguments)).Trim();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return null;
        }
    }
}
