using System.Diagnostics;
using FastLog.Bench.Common;
using FastLog.Bench.Engine;

if (args.Length > 0 && args[0] == "cleaner")
{
    return CleanerBench.Run(args);
}

if (args.Length > 0 && args[0] == "journal")
{
    return await JournalBench.Run(args);
}

BenchOptions? options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

if (options is null)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

bool ownDataDir = options.DataDir is null;
string dataDir = options.DataDir ?? Path.Combine(Path.GetTempPath(), $"fastlog-bench-engine-{Environment.ProcessId}");
Directory.CreateDirectory(dataDir);
var run = await RunInfo.CollectAsync("bench/FastLog.Bench.Engine", options.RawArgs);
var total = Stopwatch.StartNew();
var report = new Report(options, MachineInfo.Collect(dataDir), run);

try
{
    Console.Error.WriteLine($"memory copy ({options.MemCopyBytes / (1024 * 1024)} MiB buffers) ...");
    report.MemoryCopyGBps = MachineLimits.MemoryCopyGBps(options.MemCopyBytes);

    foreach (int block in new[] { 16 * 1024, 1024 * 1024 })
    {
        Console.Error.WriteLine($"page-cache ceiling, {Row.Size(block)} writes ...");
        report.PageCacheCeilings.Add((block, PageCacheCeiling.Measure(Path.Combine(dataDir, "ceiling"), block, options.TotalBytes)));
    }

    if (options.RunFio)
    {
        Console.Error.WriteLine("fio, before the engine rows ...");
        (report.FioBefore, report.FioNote) = await MachineLimits.RunFioAsync(Path.Combine(dataDir, "fio"), options.FioBytes, options.FioSeconds, "before",
            MachineLimits.EndFsync, MachineLimits.Fdatasync1M, MachineLimits.Fdatasync16K, MachineLimits.OSync1M);
    }
    else
    {
        report.FioNote = "fio skipped (--no-fio)";
    }

    var rows = Row.Matrix()
        .Where(r => options.RowFilter is null || r.Id.Contains(options.RowFilter, StringComparison.OrdinalIgnoreCase))
        .ToList();

    Console.Error.WriteLine("warm-up (not reported) ...");
    await WarmUpAsync(dataDir, options);

    foreach (var row in rows)
    {
        var template = BatchTemplate.Create(row.RecordBytes, row.BatchBytes);
        var fastLog = new RowRuns();
        var fasterLog = options.RunFasterLog ? new RowRuns() : null;
        for (int runIndex = 0; runIndex < options.Runs; runIndex++)
        {
            // Alternating which engine goes first, so neither always meets the machine in the state the other left it.
            bool fasterLogFirst = fasterLog is not null && runIndex % 2 == 1;
            if (fasterLogFirst)
            {
                await RunFasterLogAsync(row, template, fasterLog!);
            }

            var result = await RunGuardedAsync(FastLogRunner.Name, Path.Combine(dataDir, $"fastlog-{row.Id}"),
                dir => FastLogRunner.RunAsync(row, template, dir, options.TotalBytes, options.RowSeconds, options.ReadBytes, options.PreallocateStepBytes));
            Print(row, result);
            fastLog.Add(result);
            if (fasterLog is not null && !fasterLogFirst)
            {
                await RunFasterLogAsync(row, template, fasterLog);
            }
        }

        report.Rows.Add((row, template, fastLog, fasterLog));
    }

    if (options.RunFio && report.FioBefore is not null)
    {
        Console.Error.WriteLine("fio, after the engine rows ...");
        (report.FioAfter, _) = await MachineLimits.RunFioAsync(Path.Combine(dataDir, "fio"), options.FioBytes, options.FioSeconds, "after", MachineLimits.EndFsync, MachineLimits.Fdatasync1M);
    }
}
finally
{
    if (ownDataDir)
    {
        TryDelete(dataDir);
    }
}

run.MarkLoad("end");
report.TotalSeconds = total.Elapsed.TotalSeconds;
string markdown = report.ToMarkdown();
Console.WriteLine(markdown);
if (options.OutFile is not null)
{
    string? parent = Path.GetDirectoryName(Path.GetFullPath(options.OutFile));
    if (parent is not null)
    {
        Directory.CreateDirectory(parent);
    }

    await File.WriteAllTextAsync(options.OutFile, markdown);
    Console.Error.WriteLine($"report written to {options.OutFile}");
}

return report.Rows.Any(r => r.FastLog.All.Concat(r.FasterLog?.All ?? []).Any(result => result.Error is not null)) ? 1 : 0;

async Task RunFasterLogAsync(Row row, BatchTemplate template, RowRuns runs)
{
    var result = await RunGuardedAsync(FasterLogRunner.Name, Path.Combine(dataDir, $"fasterlog-{row.Id}"),
        dir => FasterLogRunner.RunAsync(row, template, dir, options.TotalBytes, options.RowSeconds));
    Print(row, result);
    runs.Add(result);
}

static async Task<RowResult> RunGuardedAsync(string engine, string directory, Func<string, Task<RowResult>> run)
{
    TryDelete(directory);
    try
    {
        return await run(directory);
    }
    catch (Exception e)
    {
        Console.Error.WriteLine($"  {engine} failed: {e}");
        return new RowResult { Engine = engine, Error = $"{e.GetType().Name}: {e.Message}" };
    }
    finally
    {
        TryDelete(directory);
    }
}

static async Task WarmUpAsync(string dataDir, BenchOptions options)
{
    // JIT and first-touch costs of both engines out of the first reported row.
    var template = BatchTemplate.Create(1024, 16 * 1024);
    foreach (var row in new[] { new Row(1024, 16 * 1024, Mode.PageCache, 1), new Row(1024, 16 * 1024, Mode.GroupCommit, 4) })
    {
        await RunGuardedAsync(FastLogRunner.Name, Path.Combine(dataDir, "warmup-fastlog"),
            dir => FastLogRunner.RunAsync(row, template, dir, 16L * 1024 * 1024, 2, options.ReadBytes, options.PreallocateStepBytes));
        if (options.RunFasterLog)
        {
            await RunGuardedAsync(FasterLogRunner.Name, Path.Combine(dataDir, "warmup-fasterlog"),
                dir => FasterLogRunner.RunAsync(row, template, dir, 16L * 1024 * 1024, 2));
        }
    }
}

static void Print(Row row, RowResult result)
{
    if (result.Error is not null && result.Batches == 0)
    {
        Console.Error.WriteLine($"{row.Id,-18} {result.Engine,-9} ERROR {result.Error}");
        return;
    }

    Console.Error.WriteLine(
        $"{row.Id,-18} {result.Engine,-9} append {result.AppendMBps,8:F0} MB/s {result.AppendRecordsPerSecond / 1e6,7:F2} M rec/s" +
        $"  durable {result.DurableMBps,8:F0} MB/s  read {result.ReadMBps,8:F0} MB/s {result.ReadRecordsPerSecond / 1e6,7:F2} M rec/s" +
        $"{(result.HitTimeCap ? "  (time cap)" : string.Empty)}{(result.Error is null ? string.Empty : "  ERROR " + result.Error)}");
}

static void TryDelete(string directory)
{
    try
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
    catch (IOException e)
    {
        Console.Error.WriteLine($"could not delete {directory}: {e.Message}");
    }
}
