using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastLog.Engine.Cleaning;
using FastLog.Engine.Log;
using FastLog.Format;

namespace FastLog.Bench.Engine;

/// <summary>
/// Cleaner throughput: fills a compacted partition with keyed records (every key overwritten many
/// times), closes the last segment, then times one full cleaning pass. MB/s is the closed segments'
/// bytes divided by the pass's wall time (map building, rewrite, fsyncs and swaps included), and
/// divided by the process CPU time of the pass.
/// Usage: cleaner [total-MiB=1024] [keys=1000000] [value-bytes=100] [data-dir]
/// </summary>
internal static class CleanerBench
{
    public static int Run(string[] args)
    {
        long totalBytes = (args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1024) * 1024 * 1024;
        int keys = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
        int valueBytes = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100;
        string dir = args.Length > 4 ? args[4] : Path.Combine(Path.GetTempPath(), $"fastlog-bench-cleaner-{Environment.ProcessId}");
        var tp = new TopicPartition("keyed", 0);
        var config = new LogConfig
        {
            CleanupPolicy = CleanupPolicy.Compact,
            SegmentBytes = 128 * 1024 * 1024,
            MinCleanableDirtyRatio = 0,
            FileDeleteDelayMs = 0,
        };
        try
        {
            using var log = PartitionLog.Open(new PartitionLogOptions { Directory = Path.Combine(dir, tp.DirectoryName), TopicPartition = tp, Config = config });
            var fill = Stopwatch.StartNew();
            using var builder = new RecordBatchBuilder();
            var value = new byte[valueBytes];
            Random.Shared.NextBytes(value);
            long record = 0;
            while (log.SizeBytes < totalBytes)
            {
                builder.Reset();
                for (int i = 0; i < 100; i++, record++)
                {
                    // A multiplicative walk over the key space: every key recurs, in no sequential order.
                    long key = record * 2_654_435_761L % keys;
                    builder.Append(1_700_000_000_000 + record, Encoding.ASCII.GetBytes("key-" + key.ToString(CultureInfo.InvariantCulture)), value);
                }

                log.Append(builder.Build(), leaderEpoch: 0);
            }

            // Keep going to the next roll, so nearly everything sits in closed (cleanable) segments.
            int segments = log.SegmentCount;
            while (log.SegmentCount == segments)
            {
                log.Append(builder.Build(), leaderEpoch: 0);
            }

            log.Flush();
            log.UpdateHighWatermark(log.LogEndOffset);
            long closedBytes = log.Segments.Take(log.SegmentCount - 1).Sum(s => (long)s.SizeBytes);
            Console.Error.WriteLine($"filled {log.SizeBytes / (1024 * 1024)} MiB ({record:N0} records, {keys:N0} keys) in {fill.Elapsed.TotalSeconds:F1} s; cleaning {closedBytes / (1024 * 1024)} MiB of closed segments ...");

            using var cleaner = new LogCleaner(TimeProvider.System);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clean = Stopwatch.StartNew();
            var result = cleaner.Clean(log);
            clean.Stop();
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            long after = log.Segments.Take(log.SegmentCount - 1).Sum(s => (long)s.SizeBytes);
            double seconds = clean.Elapsed.TotalSeconds;
            // On a shared machine wall time depends on the neighbours: the CPU time of the pass is reported too.
            Console.WriteLine("| row | input MiB | output MiB | records removed | seconds | CPU seconds | cleaner MB/s (input, wall) | MB/s per CPU second |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| cleaner, {keys:N0} keys, {valueBytes} B values | {closedBytes / 1048576.0:F0} | {after / 1048576.0:F0} | {result.RecordsRemoved:N0} | {seconds:F2} | {cpuSeconds:F2} | {closedBytes / 1e6 / seconds:F0} | {closedBytes / 1e6 / cpuSeconds:F0} |"));
            return result.Cleaned ? 0 : 1;
        }
        finally
        {
            if (args.Length <= 4 && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
