using System.Diagnostics;
using System.Globalization;
using FastLog.Engine.Cleaning;
using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Cleaning;

/// <summary>
/// kill -9 while the cleaner runs: a child process appends keyed records (fsync before ack) to a
/// compacted partition and cleans it back to back; it is killed at a random moment, several times
/// in the same directory. After every kill the reopened log must hold only records that were
/// written, at their offsets, and for every key a record at or after its latest acknowledged one
/// (or nothing, if that was a tombstone since removed): no acknowledged write lost, no overwritten
/// value resurrected.
/// </summary>
public sealed class CompactionKillTests : IDisposable
{
    private const int Kills = 4;
    private static readonly TopicPartition Tp = new("compacted", 0);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kill_minus_9_during_cleaning_leaves_a_correct_compacted_log()
    {
        var random = new Random(1234);
        var latestAcked = new Dictionary<string, (long Offset, bool Tombstone)>();
        for (int kill = 0; kill < Kills; kill++)
        {
            foreach (string line in await RunChildAndKillAsync(random.Next(300, 1500)))
            {
                string[] parts = line.Split(' ');
                long offset = long.Parse(parts[0], CultureInfo.InvariantCulture);
                if (!latestAcked.TryGetValue(parts[1], out var previous) || previous.Offset < offset)
                {
                    latestAcked[parts[1]] = (offset, parts[2] == "1");
                }
            }

            Verify(latestAcked);
        }

        Assert.NotEmpty(latestAcked);
        var checkpoint = CleanerCheckpoint.Read(Path.Combine(_dir.Path, Tp.DirectoryName));
        Assert.True(checkpoint.CleanedToOffset > 0, "the cleaner never completed a pass");
    }

    private void Verify(Dictionary<string, (long Offset, bool Tombstone)> latestAcked)
    {
        using var manager = LogManager.Open(new LogManagerOptions { LogDirs = [_dir.Path] });
        Assert.True(manager.TryGetLog(Tp, out var log));
        log.UpdateHighWatermark(log.LogEndOffset);
        var records = KeyedLog.ReadAll(log);

        // The child derives each record from its offset: anything else is corruption.
        foreach (var r in records)
        {
            Assert.Equal("k" + (r.Offset * 7 % 40).ToString(CultureInfo.InvariantCulture), r.Key);
            if (r.Offset % 11 == 0)
            {
                Assert.Null(r.Value);
            }
            else
            {
                Assert.Equal("v" + r.Offset.ToString(CultureInfo.InvariantCulture) + new string('x', 60), r.Value);
            }
        }

        var latest = records.GroupBy(r => r.Key!).ToDictionary(g => g.Key, g => g.Max(r => r.Offset));
        foreach (var (key, acked) in latestAcked)
        {
            if (latest.TryGetValue(key, out long offset))
            {
                Assert.True(offset >= acked.Offset, $"{key}: latest stored offset {offset} is older than the acknowledged {acked.Offset}");
            }
            else
            {
                Assert.True(acked.Tombstone, $"{key}: acknowledged at {acked.Offset} but gone");
            }
        }
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
        start.ArgumentList.Add("compact");
        start.ArgumentList.Add(_dir.Path);

        var lines = new List<string>();
        var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new List<string>();
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
            await Task.WhenAny(firstAck.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(firstAck.Task.IsCompleted, "the child acknowledged nothing: " + string.Join('\n', errors));
            await Task.Delay(delayAfterFirstAckMs);
        }
        finally
        {
            // SIGKILL: no finalizers, no flush, no clean-shutdown marker.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        lock (errors)
        {
            Assert.DoesNotContain(errors, e => e.Contains("Exception", StringComparison.Ordinal) || e.Contains("failed", StringComparison.Ordinal));
        }

        lock (lines)
        {
            // A line cut by the kill is not an acknowledgement.
            return lines.Where(l => l.Split(' ').Length == 3 && (l.EndsWith(" 0", StringComparison.Ordinal) || l.EndsWith(" 1", StringComparison.Ordinal))).ToList();
        }
    }

    private static string ChildAssemblyPath()
    {
        string testDirectory = AppContext.BaseDirectory;
        string childDirectory = testDirectory.Replace("FastLog.Engine.Tests", "FastLog.Engine.CrashChild", StringComparison.Ordinal);
        string path = Path.Combine(childDirectory, "FastLog.Engine.CrashChild.dll");
        Assert.True(File.Exists(path), $"crash child not built at {path}");
        return path;
    }
}
