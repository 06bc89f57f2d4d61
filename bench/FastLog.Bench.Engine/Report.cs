using System.Globalization;
using System.Text;
using FastLog.Bench.Common;

namespace FastLog.Bench.Engine;

/// <summary>Collects one run's figures and renders the markdown report.</summary>
internal sealed class Report(BenchOptions options, MachineInfo machine, RunInfo run)
{
    /// <summary>The share of fio's fsync'd sequential write bandwidth the 1 MiB group commit rows must reach.</summary>
    private const double FsyncTarget = 0.70;

    public double MemoryCopyGBps { get; set; }

    public List<(int BlockBytes, (double WriteMBps, double ReadMBps) Figures)> PageCacheCeilings { get; } = [];

    public List<FioResult>? FioBefore { get; set; }

    public List<FioResult>? FioAfter { get; set; }

    public string FioNote { get; set; } = string.Empty;

    public double TotalSeconds { get; set; }

    public List<(Row Row, BatchTemplate Template, RowRuns FastLog, RowRuns? FasterLog)> Rows { get; } = [];

    public string ToMarkdown()
    {
        var md = new StringBuilder();
        Line(md, "# Engine throughput: FastLog's partition log vs FasterLog, and the machine's limits");
        Line(md);
        Line(md, "Produced by `bench/FastLog.Bench.Engine` in one run. Compare figures only as ratios against the");
        Line(md, "references measured in the same run (FasterLog, fio, memory copy).");
        Line(md);
        WriteMachine(md);
        WriteMethod(md);
        WriteLimits(md);
        WriteAppends(md);
        WriteDurable(md);
        WriteReads(md);
        WriteTargets(md);
        return md.ToString();
    }

    private void WriteMachine(StringBuilder md) => run.AppendMachineSection(md, machine, "server GC off", TotalSeconds);

    private void WriteMethod(StringBuilder md)
    {
        Line(md, "## What was measured");
        Line(md);
        Line(md, $"- Each row appends up to {Row.Size(options.TotalBytes)} per engine, stopping early after {options.RowSeconds:0.#} s of appending " +
            "(rows marked † stopped at that cap; their rates are over what they wrote). Each row starts on an empty directory, deleted afterwards.");
        Line(md, "- A record is a value of the stated size with a null key; a batch is one uncompressed Kafka RecordBatch v2 holding as many " +
            "records as fit the batch size (header and record framing included). MB/s counts batch bytes, MB = 10^6 bytes; records/s counts records.");
        Line(md, "- **FastLog**: `PartitionLog` with default `LogConfig` (segment.bytes 1 GiB, 10 MiB preallocated indexes, index every 4 KiB). " +
            "`Append` validates the batch (CRC-32C), stamps offsets in place and `pwrite`s it to the active segment (page cache). " +
            "Group commit: `GroupCommitter(CommitPolicy.Immediate)`, each appender `await WaitForDurableAsync(EndOffset)`; durability = `fdatasync` " +
            "of the segment by the committer's flusher thread, shared by every waiter it covers. " +
            (options.PreallocateStepBytes > 0
                ? $"Tail preallocation on (step {Row.Size(options.PreallocateStepBytes)}): after a sync of at most an eighth of the step, the flusher, " +
                  "once the waiters are answered, keeps the segment zero-filled and fsynced that far ahead of the appends, so later syncs write no " +
                  "block allocation or file size; whether a row qualifies follows from its bytes per sync (batch size × appends per fsync, last column)."
                : "Tail preallocation off (`--preallocate-step 0`)."));
        Line(md, $"- **FasterLog** (Microsoft.FASTER.Core 2.6.5): each entry is one whole batch (the same bytes). Settings: {FasterLogRunner.Describe}. " +
            "Its local device on Linux (`ManagedLocalStorageDevice`) opens segment files with `FileOptions.WriteThrough` plus the Windows no-buffering " +
            "flag; .NET on Linux maps the first to `O_SYNC` and does not turn the second into `O_DIRECT` (strace of this harness: " +
            "`openat(…fasterlog.log.0, O_WRONLY|O_CREAT|O_SYNC|O_CLOEXEC)`). So its page writes are buffered `O_SYNC` writes, durable when they " +
            "complete, and its reads go through the page cache too; a commit writes the pages up to the tail, then an `O_SYNC` commit-metadata file. " +
            "Group commit: `AutoCommit = true` (every enqueue requests a commit; requests " +
            "coalesce) and each appender `await EnqueueAndWaitForCommitAsync(bytes)`.");
        Line(md, "- **Page cache rows**: one appender, no waits. FastLog writes only to the page cache (nothing durable until a flush). " +
            "FasterLog `Enqueue`s without any commit; it still writes each full 4 MiB page to its device (`O_SYNC`) in the background, " +
            "and `Enqueue` spins once its 64 MiB buffer is full, so its rate is bounded by its device writes; nothing is recoverable before a commit. " +
            "The table “time to durable” adds one final `Flush()` / `CommitAsync()` to the append time.");
        Line(md, $"- **Read-back**: FastLog sequential `Read(offset, {Row.Size(options.ReadBytes)}, ∞)` + `FileSlice.CopyTo` into one reused buffer " +
            "(mostly from the page cache: the data was just written); FasterLog `Scan(BeginAddress, CommittedUntilAddress)` + " +
            "`GetNext(MemoryPool<byte>.Shared, …)` (a copy per entry; the last 64 MiB come from its own memory, the rest from its device through the page cache). " +
            "Both walk every batch header and check the bytes and record counts against what was appended. " +
            "Rows marked † wrote less than the total, so a larger share of FasterLog's read-back came from its 64 MiB in-memory tail.");
        Line(md, options.Runs == 1
            ? "- Each row runs once per engine, FastLog first."
            : $"- Each row runs {options.Runs} times per engine, alternating which engine goes first. Every figure is the median run's for that " +
              "figure (the lower middle one of an even count), with the lowest and highest run in brackets; a ratio divides the two medians, and the " +
              "latencies and appends per fsync come from the run with the median append rate.");
        Line(md, "- Before the rows both engines run a short unreported warm-up.");
        Line(md);
    }

    private void WriteLimits(StringBuilder md)
    {
        Line(md, "## The machine's limits (same run)");
        Line(md);
        Line(md, $"- memory copy (`Span<byte>.CopyTo`, {Row.Size(options.MemCopyBytes)} buffers, best of 8, bytes copied per second): **{MemoryCopyGBps:F1} GB/s**");
        foreach (var (block, (write, read)) in PageCacheCeilings)
        {
            Line(md, $"- page-cache ceiling, {Row.Size(block)} blocks (`RandomAccess.Write` of {Row.Size(block)} blocks into a new file, " +
                $"{Row.Size(options.TotalBytes)}, no fsync; then `RandomAccess.Read` of 1 MiB blocks back): **write {write:N0} MB/s, read {read:N0} MB/s** " +
                "— what the page-cache rows and FastLog's read-back can reach at best with one syscall per batch / per read.");
        }

        if (FioBefore is null)
        {
            Line(md, $"- {FioNote}");
            Line(md);
            return;
        }

        Line(md, $"- {FioNote}, in the data directory, each job capped at {Row.Size(options.FioBytes)} or {options.FioSeconds} s, run before the rows and " +
            "(the two 1 MiB buffered jobs) again after them:");
        Line(md);
        Line(md, "| fio job | flags | when | MB/s | writes/s | fdatasync p50 / p99 µs |");
        Line(md, "| --- | --- | --- | ---: | ---: | ---: |");
        foreach (var (when, list) in new[] { ("before", FioBefore), ("after", FioAfter) })
        {
            foreach (var fio in list ?? [])
            {
                string sync = fio.SyncP50Micros is { } p50 ? $"{p50:F0} / {fio.SyncP99Micros:F0}" : "–";
                Line(md, $"| {fio.Description} | `{fio.Flags}` | {when} | {fio.BytesPerSecond / 1e6:F0} | {fio.WritesPerSecond:F0} | {sync} |");
            }
        }

        Line(md);
        if (Reference(MachineLimits.EndFsync) is { } reference)
        {
            Line(md, $"Reference for the fsync target: **{reference / 1e6:F0} MB/s**, the higher of the before/after figures of " +
                "“1 MiB buffered, one fsync at the end” (the machine's fsync'd sequential write bandwidth; the stricter choice). " +
                "The per-write fdatasync figure is shown beside it as the floor a one-appender-per-fsync design faces.");
            Line(md);
        }
    }

    private void WriteAppends(StringBuilder md)
    {
        Line(md, "## Appends");
        Line(md);
        Line(md, "Page cache rows: append phase only. Group commit rows: every append acknowledged durable. Latency: append call to durable, per append.");
        Line(md);
        Line(md, "| row | records / batch | FastLog MB/s | FastLog records/s | FasterLog MB/s | FasterLog records/s | FastLog / FasterLog | FastLog p50 / p99 µs | FasterLog p50 / p99 µs | FastLog appends per fsync |");
        Line(md, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (row, template, fastLogRuns, fasterLogRuns) in Rows)
        {
            var fastLog = fastLogRuns.MedianBy(Append);
            var fasterLog = fasterLogRuns?.MedianBy(Append);
            string perFsync = fastLog?.Flushes is > 0 ? $"{(double)fastLog.Batches / fastLog.Flushes.Value:F1}" : "–";
            Line(md, $"| {row.Name} | {template.Records} | {Rate(fastLogRuns, Append)} | {Records(fastLog, r => r.AppendRecordsPerSecond)} | " +
                $"{Rate(fasterLogRuns, Append)} | {Records(fasterLog, r => r.AppendRecordsPerSecond)} | {Ratio(fastLogRuns, fasterLogRuns, Append)} | " +
                $"{Latency(fastLog)} | {Latency(fasterLog)} | {perFsync} |");
        }

        Line(md);
    }

    private void WriteDurable(StringBuilder md)
    {
        var pageCache = Rows.Where(r => r.Row.Mode == Mode.PageCache).ToList();
        if (pageCache.Count == 0)
        {
            return;
        }

        Line(md, "## Page cache rows: time to durable (append phase + one final flush / commit)");
        Line(md);
        Line(md, "| row | FastLog MB/s | FasterLog MB/s | FastLog / FasterLog |");
        Line(md, "| --- | ---: | ---: | ---: |");
        foreach (var (row, _, fastLog, fasterLog) in pageCache)
        {
            Line(md, $"| {row.Name} | {Rate(fastLog, Durable)} | {Rate(fasterLog, Durable)} | {Ratio(fastLog, fasterLog, Durable)} |");
        }

        Line(md);
    }

    private void WriteReads(StringBuilder md)
    {
        Line(md, "## Read-back of each row's log");
        Line(md);
        Line(md, "| row | FastLog MB/s | FastLog records/s | FasterLog MB/s | FasterLog records/s | FastLog / FasterLog |");
        Line(md, "| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (row, _, fastLog, fasterLog) in Rows)
        {
            Line(md, $"| {row.Name} | {Rate(fastLog, Read)} | {Records(fastLog.MedianBy(Read), r => r.ReadRecordsPerSecond)} | " +
                $"{Rate(fasterLog, Read)} | {Records(fasterLog?.MedianBy(Read), r => r.ReadRecordsPerSecond)} | {Ratio(fastLog, fasterLog, Read)} |");
        }

        Line(md);
    }

    private void WriteTargets(StringBuilder md)
    {
        Line(md, "## Targets");
        Line(md);
        int met = 0;
        int missed = 0;
        var lines = new List<string>();
        foreach (var (row, _, fastLog, fasterLog) in Rows)
        {
            if (Median(fastLog, Append) is not { } fastLogAppend || Median(fasterLog, Append) is not { } fasterLogAppend)
            {
                continue;
            }

            Check($"{row.Name}: append ≥ FasterLog", fastLogAppend, fasterLogAppend, 1.0);
            Check($"{row.Name}: read-back ≥ FasterLog", Median(fastLog, Read)!.Value, Median(fasterLog, Read)!.Value, 1.0);
        }

        double? reference = Reference(MachineLimits.EndFsync);
        double? perWrite = Reference(MachineLimits.Fdatasync1M);
        foreach (var (row, _, fastLog, _) in Rows.Where(r => r.Row.Mode == Mode.GroupCommit && r.Row.BatchBytes == 1024 * 1024))
        {
            if (reference is null || Median(fastLog, Append) is not { } appendMBps)
            {
                continue;
            }

            double bytesPerSecond = appendMBps * 1e6;
            string extra = perWrite is { } p ? $"; {bytesPerSecond / p:P0} of fio's fdatasync-per-1 MiB-write figure" : string.Empty;
            Check($"{row.Name}: ≥ {FsyncTarget:P0} of fio's fsync'd sequential write ({bytesPerSecond / reference.Value:P0}{extra})",
                appendMBps, reference.Value / 1e6, FsyncTarget);
        }

        foreach (string line in lines)
        {
            Line(md, line);
        }

        Line(md);
        Line(md, $"**{met} met, {missed} not met.**");
        Line(md);
        var errors = Rows.SelectMany(r => r.FastLog.All.Concat(r.FasterLog?.All ?? [])).Where(r => r.Error is not null).ToList();
        foreach (var error in errors)
        {
            Line(md, $"- ERROR {error.Engine}: {error.Error}");
        }

        void Check(string what, double value, double against, double share)
        {
            bool ok = value >= share * against;
            if (ok)
            {
                met++;
            }
            else
            {
                missed++;
            }

            lines.Add($"- {(ok ? "met" : "**not met**")}: {what}: {value:N0} vs {against:N0} MB/s");
        }
    }

    /// <summary>The higher of the before/after bandwidths of one fio job, in bytes/s.</summary>
    private double? Reference(string id)
    {
        var figures = (FioBefore ?? []).Concat(FioAfter ?? []).Where(f => f.Id == id).Select(f => f.BytesPerSecond).ToList();
        return figures.Count == 0 ? null : figures.Max();
    }

    private static double Append(RowResult result) => result.AppendMBps;

    private static double Durable(RowResult result) => result.DurableMBps;

    private static double Read(RowResult result) => result.ReadMBps;

    private static double? Median(RowRuns? runs, Func<RowResult, double> figure) => runs?.MedianBy(figure) is { } run ? figure(run) : null;

    /// <summary>The median run's figure, † when that run hit the time cap, and the spread over the runs when there are several.</summary>
    private static string Rate(RowRuns? runs, Func<RowResult, double> figure)
    {
        if (runs?.MedianBy(figure) is not { } median)
        {
            return "–";
        }

        string spread = runs.RangeOf(figure) is var (min, max) ? $" ({min:N0}–{max:N0})" : string.Empty;
        return $"{figure(median):N0}{Cap(median)}{spread}";
    }

    private static string Records(RowResult? result, Func<RowResult, double> rate) =>
        RowRuns.IsFailed(result) ? "–" : Millions(rate(result!));

    private static string Ratio(RowRuns fastLog, RowRuns? fasterLog, Func<RowResult, double> figure) =>
        Median(fastLog, figure) is { } ours && Median(fasterLog, figure) is { } theirs ? $"{ours / theirs:F2}×" : "–";

    private static string Latency(RowResult? result) =>
        RowRuns.IsFailed(result) || result!.Latency is null ? "–" : $"{result.LatencyMicros(50):N0} / {result.LatencyMicros(99):N0}";

    private static string Cap(RowResult result) => result.HitTimeCap ? " †" : string.Empty;

    private static string Millions(double perSecond) => perSecond >= 1e6 ? $"{perSecond / 1e6:F2} M" : $"{perSecond / 1e3:F1} k";

    private static void Line(StringBuilder md, string text = "") => md.Append(text).Append('\n');
}
