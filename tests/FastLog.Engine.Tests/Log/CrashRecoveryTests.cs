using System.Diagnostics;
using System.Globalization;
using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;
using FastLog.Format;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// The durability promise under a real crash: a child process appends with fsync-before-ack from
/// several appenders and reports each append once durable; the test kills it with SIGKILL at a
/// random moment, many times over the same directory, recovering in between. Every append the child
/// reported must be present with its bytes, and the recovered log must hold only whole, valid,
/// contiguous batches that some appender wrote.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private static readonly TopicPartition Tp = new("crash", 0);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_append_reported_durable_survives_sigkill()
    {
        var random = new Random(20261126);
        var acknowledged = new Dictionary<long, (long LastOffset, long Tag)>();
        const int Kills = 12;
        for (int kill = 0; kill < Kills; kill++)
        {
            var lines = await RunChildAndKillAsync(random.Next(20, 400));
            foreach (string line in lines)
            {
                string[] parts = line.Split(' ');
                long baseOffset = long.Parse(parts[0], CultureInfo.InvariantCulture);
                acknowledged[baseOffset] = (long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
            }

            VerifyRecoveredLog(acknowledged);
        }

        Assert.True(acknowledged.Count > Kills, $"only {acknowledged.Count} appends were acknowledged over {Kills} runs");
    }

    private async Task<List<string>> RunChildAndKillAsync(int delayAfterFirstAckMs)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ChildAssemblyPath());
        start.ArgumentList.Add(_dir.Path);
        start.ArgumentList.Add("4");
        start.ArgumentList.Add("10");
        start.ArgumentList.Add("100");

        var lines = new List<string>();
        var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            firstAck.TrySetResult();
        };
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };

        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var started = await Task.WhenAny(firstAck.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(firstAck.Task.IsCompleted, "the child acknowledged nothing: " + string.Join('\n', errors));
            await Task.Delay(delayAfterFirstAckMs);
        }
        finally
        {
            // Process.Kill sends SIGKILL on Unix: no finalizers, no flush, no clean-shutdown marker.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Assert.DoesNotContain(errors, e => e.Contains("Exception", StringComparison.Ordinal));
        lock (lines)
        {
            // A line cut by the kill is not an acknowledgement.
            return lines.Where(l => l.Split(' ').Length == 3).ToList();
        }
    }

    private void VerifyRecoveredLog(Dictionary<long, (long LastOffset, long Tag)> acknowledged)
    {
        Assert.False(File.Exists(Path.Combine(_dir.Path, LogManager.CleanShutdownFileName)));
        using var manager = LogManager.Open(new LogManagerOptions { LogDirs = [_dir.Path] });
        Assert.True(manager.TryGetLog(Tp, out var log));

        var stored = new Dictionary<long, (long LastOffset, long Tag)>();
        long next = log.LogStartOffset;
        while (next < log.LogEndOffset)
        {
            var slice = log.Read(next, 1 << 20, long.MaxValue).Slice;
            var batches = TestBatches.Split(slice.ToArray());
            Assert.NotEmpty(batches);
            foreach (var batch in batches)
            {
                var header = new RecordBatchHeader(batch);
                Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, int.MaxValue, out _));
                Assert.Equal(next, header.BaseOffset);
                long tag = TestBatches.ReadTag(batch);
                Assert.InRange(tag >> 40, 0, 3);
                stored[header.BaseOffset] = (header.LastOffset, tag);
                next = header.LastOffset + 1;
            }
        }

        foreach (var (baseOffset, expected) in acknowledged)
        {
            Assert.True(stored.TryGetValue(baseOffset, out var actual), $"acknowledged batch at offset {baseOffset} is missing (log end {log.LogEndOffset})");
            Assert.Equal(expected, actual);
        }
    }

    private static string ChildAssemblyPath()
    {
        // The child is built next to this test project: same configuration and framework folders.
        string testDirectory = AppContext.BaseDirectory;
        string childDirectory = testDirectory.Replace("FastLog.Engine.Tests", "FastLog.Engine.CrashChild", StringComparison.Ordinal);
        string path = Path.Combine(childDirectory, "FastLog.Engine.CrashChild.dll");
        Assert.True(File.Exists(path), $"crash child not built at {path}");
        return path;
    }
}
