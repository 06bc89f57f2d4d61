using System.Diagnostics;
using System.Text;

namespace FastLog.Interop.Tests.Support;

/// <summary>The outcome of a finished child process.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Describe(string what) =>
        $"{what} exited with {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>Runs a third-party tool as a child process with a bounded wait; a child that overruns is killed by its handle.</summary>
internal static class ChildProcess
{
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput);
            }

            process.StandardInput.Close();
            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                Assert.Fail(new ProcessResult(-1, await stdout, await stderr).Describe($"{fileName} {string.Join(' ', arguments)} (killed after {timeout ?? TimeSpan.FromSeconds(60)})"));
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
