using System.Buffers;
using System.Diagnostics;
using FASTER.core;

namespace FastLog.Bench.Engine;

/// <summary>
/// One row against Microsoft.FASTER.Core's FasterLog: each entry is one whole batch's bytes (the
/// same byte[] FastLog appends), on a local log device in the row's directory.
/// </summary>
internal static class FasterLogRunner
{
    public const string Name = "FasterLog";

    public const int PageSizeBits = 22;
    public const int MemorySizeBits = 26;
    public const int SegmentSizeBits = 30;

    /// <summary>The settings, for the report.</summary>
    public static string Describe =>
        $"`FasterLogSettings {{ LogDevice = Devices.CreateLogDevice(<row dir>/fasterlog.log) (defaults: no preallocation, disableFileBuffering = true), " +
        $"LogCommitDir = <row dir>, PageSizeBits = {PageSizeBits} (4 MiB), MemorySizeBits = {MemorySizeBits} (64 MiB), SegmentSizeBits = {SegmentSizeBits} (1 GiB), " +
        "LogChecksum = None, MutableFraction = 0, AutoCommit = (group commit rows only) }`";

    public static async Task<RowResult> RunAsync(Row row, BatchTemplate template, string directory, long totalBytes, double capSeconds)
    {
        var result = new RowResult { Engine = Name };
        long totalBatches = Math.Max(row.Appenders, totalBytes / template.Bytes.Length);
        Directory.CreateDirectory(directory);
        using var device = Devices.CreateLogDevice(Path.Combine(directory, "fasterlog.log"));
        using var settings = new FasterLogSettings
        {
            LogDevice = device,
            LogCommitDir = directory,
            PageSizeBits = PageSizeBits,
            MemorySizeBits = MemorySizeBits,
            SegmentSizeBits = SegmentSizeBits,

            // Group commit: every enqueue issues a (coalescing) commit request, the equivalent of
            // FastLog's Immediate policy where every waiter asks for a flush.
            AutoCommit = row.Mode == Mode.GroupCommit,
        };
        using var log = new FasterLog(settings);
        if (row.Mode == Mode.PageCache)
        {
            await AppendWithoutWaitingAsync(log, template, totalBatches, capSeconds, result);
        }
        else
        {
            await AppendGroupCommitAsync(log, row.Appenders, template, totalBatches, capSeconds, result);
        }

        result.Records = result.Batches * template.Records;
        result.Bytes = result.Batches * template.Bytes.Length;
        await ReadBackAsync(log, result);
        if (result.ReadBytes != result.Bytes || result.ReadRecords != result.Records)
        {
            result.Error = $"read back {result.ReadBytes} B / {result.ReadRecords} records, appended {result.Bytes} B / {result.Records}";
        }

        return result;
    }

    /// <summary>One appender enqueueing without waiting for any commit; then one commit for the time to durable.</summary>
    private static async Task AppendWithoutWaitingAsync(FasterLog log, BatchTemplate template, long totalBatches, double capSeconds, RowResult result)
    {
        byte[] batch = template.Copy();
        long capTicks = (long)(capSeconds * Stopwatch.Frequency);
        long start = Stopwatch.GetTimestamp();
        long done = 0;
        while (done < totalBatches)
        {
            if ((done & 63) == 0 && Stopwatch.GetTimestamp() - start > capTicks)
            {
                result.HitTimeCap = true;
                break;
            }

            // Spins (Thread.Yield) while the in-memory buffer is full, i.e. until the device caught up.
            log.Enqueue(batch);
            done++;
        }

        result.AppendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await log.CommitAsync();
        result.DurableSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        result.Batches = done;
    }

    /// <summary>N appenders, each awaiting the commit of each of its entries.</summary>
    private static async Task AppendGroupCommitAsync(FasterLog log, int appenders, BatchTemplate template, long totalBatches, double capSeconds, RowResult result)
    {
        var batches = new byte[appenders][];
        for (int i = 0; i < appenders; i++)
        {
            batches[i] = template.Copy();
        }

        var run = await Appenders.RunAsync(appenders, totalBatches / appenders, capSeconds, async index =>
        {
            await log.EnqueueAndWaitForCommitAsync(batches[index]);
        });
        result.Batches = run.Batches;
        result.AppendSeconds = run.Seconds;
        result.DurableSeconds = run.Seconds;
        result.Latency = run.Latency;
        result.HitTimeCap = run.HitCap;
    }

    /// <summary>Its iterator over the committed log: each entry copied into pooled memory, batches walked for the count.</summary>
    private static async Task ReadBackAsync(FasterLog log, RowResult result)
    {
        await log.CommitAsync();
        long bytes = 0;
        long records = 0;
        long start = Stopwatch.GetTimestamp();
        using (var iterator = log.Scan(log.BeginAddress, log.CommittedUntilAddress))
        {
            while (true)
            {
                while (iterator.GetNext(MemoryPool<byte>.Shared, out var entry, out int length, out _))
                {
                    using (entry)
                    {
                        var walked = BatchWalker.Walk(entry.Memory.Span[..length], 0);
                        bytes += walked.Bytes;
                        records += walked.Records;
                    }
                }

                if (!await iterator.WaitAsync())
                {
                    break;
                }
            }
        }

        result.ReadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        result.ReadBytes = bytes;
        result.ReadRecords = records;
    }
}
