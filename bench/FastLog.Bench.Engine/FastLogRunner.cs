using System.Diagnostics;
using FastLog.Engine.Commit;
using FastLog.Engine.Log;

namespace FastLog.Bench.Engine;

/// <summary>One row against FastLog's <see cref="PartitionLog"/> with default <see cref="LogConfig"/>.</summary>
internal static class FastLogRunner
{
    public const string Name = "FastLog";

    public static async Task<RowResult> RunAsync(Row row, BatchTemplate template, string directory, long totalBytes, double capSeconds, int readBytes, int preallocateStepBytes)
    {
        var result = new RowResult { Engine = Name };
        long totalBatches = Math.Max(row.Appenders, totalBytes / template.Bytes.Length);
        GroupCommitter? committer = row.Mode == Mode.GroupCommit
            ? new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "bench")
            : null;
        var log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = directory,
            TopicPartition = new TopicPartition("bench", 0),
            Committer = committer,
            PreallocateStepBytes = preallocateStepBytes,
        });
        try
        {
            if (row.Mode == Mode.PageCache)
            {
                AppendPageCache(log, template, totalBatches, capSeconds, result);
            }
            else
            {
                await AppendGroupCommitAsync(log, committer!, row.Appenders, template, totalBatches, capSeconds, result);
            }

            result.Records = result.Batches * template.Records;
            result.Bytes = result.Batches * template.Bytes.Length;
            ReadBack(log, readBytes, result);
            if (result.ReadBytes != result.Bytes || result.ReadRecords != result.Records)
            {
                result.Error = $"read back {result.ReadBytes} B / {result.ReadRecords} records, appended {result.Bytes} B / {result.Records}";
            }
        }
        finally
        {
            log.Close();
            if (committer is not null)
            {
                await committer.DisposeAsync();
            }
        }

        return result;
    }

    /// <summary>One appender, no durability waits; then one flush to measure the time to durable.</summary>
    private static void AppendPageCache(PartitionLog log, BatchTemplate template, long totalBatches, double capSeconds, RowResult result)
    {
        byte[] batch = template.Copy();
        long capTicks = (long)(capSeconds * Stopwatch.Frequency);
        long start = Stopwatch.GetTimestamp();
        long done = 0;
        while (done < totalBatches)
        {
            // Checking the clock every 64 appends keeps it off the per-append cost.
            if ((done & 63) == 0 && Stopwatch.GetTimestamp() - start > capTicks)
            {
                result.HitTimeCap = true;
                break;
            }

            var appended = log.Append(batch, 0);
            if (!appended.IsSuccess)
            {
                throw new InvalidOperationException($"append failed: {appended.Status} {appended.BatchError}");
            }

            done++;
        }

        result.AppendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        log.Flush();
        result.DurableSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        result.Batches = done;
    }

    /// <summary>N appenders, each awaiting the durability of each of its appends.</summary>
    private static async Task AppendGroupCommitAsync(PartitionLog log, GroupCommitter committer, int appenders, BatchTemplate template, long totalBatches, double capSeconds, RowResult result)
    {
        var batches = new byte[appenders][];
        for (int i = 0; i < appenders; i++)
        {
            batches[i] = template.Copy();
        }

        long flushesBefore = committer.FlushCount;
        var run = await Appenders.RunAsync(appenders, totalBatches / appenders, capSeconds, async index =>
        {
            var appended = log.Append(batches[index], 0);
            if (!appended.IsSuccess)
            {
                throw new InvalidOperationException($"append failed: {appended.Status} {appended.BatchError}");
            }

            await log.WaitForDurableAsync(appended.EndOffset);
        });
        result.Batches = run.Batches;
        result.AppendSeconds = run.Seconds;
        result.DurableSeconds = run.Seconds;
        result.Latency = run.Latency;
        result.HitTimeCap = run.HitCap;
        result.Flushes = committer.FlushCount - flushesBefore;
    }

    /// <summary>Sequential reads from the start: each slice copied into one reused buffer, batches walked for the count.</summary>
    private static void ReadBack(PartitionLog log, int readBytes, RowResult result)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(readBytes, pinned: true);
        long offset = log.LogStartOffset;
        long end = log.LogEndOffset;
        long bytes = 0;
        long records = 0;
        long start = Stopwatch.GetTimestamp();
        while (offset < end)
        {
            var read = log.Read(offset, buffer.Length, long.MaxValue);
            if (read.Status != ReadStatus.Success || read.Slice.IsEmpty)
            {
                throw new InvalidOperationException($"read at {offset} answered {read.Status}, empty={read.Slice.IsEmpty}");
            }

            int copied = read.Slice.CopyTo(buffer);
            var walked = BatchWalker.Walk(buffer.AsSpan(0, copied), offset);
            if (walked.Bytes == 0)
            {
                throw new InvalidOperationException($"no whole batch at offset {offset}");
            }

            bytes += walked.Bytes;
            records += walked.Records;
            offset = walked.NextOffset;
        }

        result.ReadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        result.ReadBytes = bytes;
        result.ReadRecords = records;
    }
}
