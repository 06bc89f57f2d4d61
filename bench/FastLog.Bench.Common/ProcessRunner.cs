using System.ComponentModel;
using System.Diagnostics;

namespace FastLog.Bench.Common;

/// <summary>Runs the external tools the benchmarks lean on (fio, iperf3, git) and collects their output.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="file"/> to completion; its standard output, or an exception naming the exit code and standard error.</summary>
    public static async Task<string> RunAsync(string file, string arguments)
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

    /// <summary>Runs a command and returns its trimmed output, or null when it is missing or fails.</summary>
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
