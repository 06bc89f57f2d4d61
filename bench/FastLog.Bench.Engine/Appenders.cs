using System.Diagnostics;
using HdrHistogram;

namespace FastLog.Bench.Engine;

/// <summary>Runs N concurrent appenders, each awaiting its own append before the next (closed loop).</summary>
internal static class Appenders
{
    /// <summary>
    /// Starts <paramref name="appenders"/> tasks; appender i calls <c>append(i)</c> until it made
    /// <paramref name="batchesPerAppender"/> appends or <paramref name="capSeconds"/> passed.
    /// Returns the appends made, the wall time from start to the last completion, the merged
    /// per-append latency and whether the time cap ended the run.
    /// </summary>
    public static async Task<(long Batches, double Seconds, LongHistogram Latency, bool HitCap)> RunAsync(
        int appenders, long batchesPerAppender, double capSeconds, Func<int, ValueTask> append)
    {
        long capTicks = (long)(capSeconds * Stopwatch.Frequency);
        var histograms = new LongHistogram[appenders];
        var counts = new long[appenders];
        bool hitCap = false;
        using var start = new ManualResetEventSlim(false);
        var tasks = new Task[appenders];
        long startTicks = 0;
        for (int a = 0; a < appenders; a++)
        {
            int index = a;
            histograms[index] = RowResult.NewHistogram();
            tasks[index] = Task.Run(async () =>
            {
                start.Wait();
                var histogram = histograms[index];
                long done = 0;
                while (done < batchesPerAppender)
                {
                    long before = Stopwatch.GetTimestamp();
                    if (before - Volatile.Read(ref startTicks) > capTicks)
                    {
                        Volatile.Write(ref hitCap, true);
                        break;
                    }

                    await append(index);
                    histogram.RecordValue(Stopwatch.GetTimestamp() - before);
                    done++;
                }

                counts[index] = done;
            });
        }

        Volatile.Write(ref startTicks, Stopwatch.GetTimestamp());
        start.Set();
        await Task.WhenAll(tasks);
        double seconds = Stopwatch.GetElapsedTime(startTicks).TotalSeconds;
        var merged = RowResult.NewHistogram();
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }

        return (counts.Sum(), seconds, merged, hitCap);
    }
}
