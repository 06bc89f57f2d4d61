using System.Diagnostics;
using System.Globalization;
using FastLog.Bench.Clients;
using FastLog.Bench.Common;

namespace FastLog.Bench.Harness;

/// <summary>
/// One harness run from start to files: the machine's limits, the broker, an unreported warm-up per
/// client, every scenario of the matrix (for a rate given as a share of the maximum, the throughput
/// run of the same scenario first), the limits again, and the reports.
/// </summary>
internal static class HarnessRun
{
    public const string Project = "bench/FastLog.Bench";

    public static async Task<HarnessOutcome> RunAsync(HarnessOptions options)
    {
        bool ownDataDir = options.DataDir is null;
        string dataDir = Path.GetFullPath(options.DataDir ?? Path.Combine(Path.GetTempPath(), $"fastlog-bench-{Environment.ProcessId}-{Guid.NewGuid():N}"));
        Directory.CreateDirectory(dataDir);
        var machine = MachineInfo.Collect(dataDir);
        var run = await RunInfo.CollectAsync(Project, options.RawArgs);
        var clock = Stopwatch.StartNew();
        var clients = options.Clients.Select(BenchClients.Create).ToList();
        var limits = new LimitsSection();
        var results = new List<ScenarioResult>();
        string brokerDescription;
        using var slowAcks = options.SlowAcksPath is { } slowPath ? new SlowAckLog(slowPath, options.SlowAckMs) : null;
        try
        {
            await MeasureLimitsAsync(options, limits, dataDir, "before");
            await using (var target = await BrokerTarget.StartAsync(options, dataDir))
            {
                brokerDescription = target.Description;
                Console.Error.WriteLine($"broker: {target.Name} at {target.Bootstrap}");
                string runId = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                await ProgressDisplay.RunAsync(ProgressDisplay.Enabled(options.NoProgress), async progress =>
                {
                    await WarmUpAsync(options, clients, target, runId, progress);
                    run.MarkLoad("scenarios start");
                    await RunScenariosAsync(options, clients, target, runId, progress, results, slowAcks);
                    run.MarkLoad("scenarios end");
                });
            }

            await MeasureLimitsAsync(options, limits, dataDir, "after");
        }
        finally
        {
            if (ownDataDir)
            {
                TryDelete(dataDir);
            }
        }

        run.MarkLoad("end");
        var report = new HarnessReport(options, machine, run, limits, results, clients.Select(c => c.Describe()).ToList(), brokerDescription, clock.Elapsed.TotalSeconds);
        var files = await ResultFiles.WriteAsync(options, report);
        Console.WriteLine(report.Markdown());
        foreach (string file in files)
        {
            Console.Error.WriteLine($"wrote {file}");
        }

        bool ok = results.Count > 0 && results.All(r => r.Failure is null && r.Errors == 0 && r.CountsMatch);
        return new HarnessOutcome(results, files, ok ? 0 : 1);
    }

    /// <summary>The matrix in the order the options list it; clients alternate which goes first from one cell to the next.</summary>
    public static IEnumerable<(Scenario Throughput, RateSpec? Rate)> Matrix(HarnessOptions options)
    {
        int cell = 0;
        foreach (int producers in options.Producers)
        {
            foreach (int partitions in options.Partitions)
            {
                foreach (int size in options.RecordSizes)
                {
                    foreach (var acks in options.Acks)
                    {
                        foreach (var compression in options.Compressions)
                        {
                            foreach (int linger in options.Lingers)
                            {
                                var clients = cell++ % 2 == 0 ? options.Clients : Enumerable.Reverse(options.Clients).ToList();
                                foreach (string client in clients)
                                {
                                    yield return (new Scenario(client, producers, partitions, size, acks, compression, linger, options.RecordsFor(size), null), options.Rate);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static async Task RunScenariosAsync(HarnessOptions options, List<IBenchClient> clients, BrokerTarget target, string runId, ProgressDisplay progress, List<ScenarioResult> results, SlowAckLog? slowAcks)
    {
        int n = 0;
        foreach (var (throughput, rate) in Matrix(options))
        {
            var client = clients.First(c => c.Name == throughput.Client);
            var runner = new ScenarioRunner(client, target, options.Consume, options.TextPayload, slowAcks);
            double? fixedRate = rate is { IsShareOfMax: false } r ? r.Value : null;
            if (rate is null || rate.Value.IsShareOfMax)
            {
                var max = await RunOneAsync(runner, throughput, $"bench-{throughput.Slug}-{runId}-{n++}", progress);
                results.Add(max);
                if (rate is { } share)
                {
                    fixedRate = max.Failure is null && max.ProduceRecordsPerSecond > 0 ? share.Value * max.ProduceRecordsPerSecond : null;
                    if (fixedRate is null)
                    {
                        progress.Log($"  {throughput.Label}: no maximum measured, so no latency run");
                    }
                }
            }

            if (fixedRate is { } perSecond)
            {
                long records = Math.Max(1, (long)(perSecond * options.DurationSeconds));
                var latency = throughput with { Rate = perSecond, Records = records, LeadInRecords = (long)(perSecond * options.WarmupSeconds) };
                results.Add(await RunOneAsync(runner, latency, $"bench-{latency.Slug}-{runId}-{n++}", progress));
            }
        }
    }

    private static async Task<ScenarioResult> RunOneAsync(ScenarioRunner runner, Scenario scenario, string topic, ProgressDisplay progress)
    {
        var counters = new ScenarioCounters($"{scenario.Client} {scenario.Label}", scenario.RecordsToSend);
        ScenarioResult result;
        using (progress.Track(counters))
        {
            try
            {
                result = await runner.RunAsync(scenario, topic, counters);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                progress.Log($"  {scenario.Label} failed: {e}");
                result = new ScenarioResult { Scenario = scenario, Broker = runner.BrokerName, Failure = $"{e.GetType().Name}: {e.Message}" };
            }
        }

        progress.Log($"  {scenario.Client} {scenario.Label}: {Summary(result)}");
        return result;
    }

    private static async Task WarmUpAsync(HarnessOptions options, List<IBenchClient> clients, BrokerTarget target, string runId, ProgressDisplay progress)
    {
        if (options.WarmupRecords == 0)
        {
            return;
        }

        // JIT, connection and first-touch costs out of the first reported scenario: the first cell's shape, not reported.
        var (first, _) = Matrix(options).First();
        foreach (var client in clients)
        {
            var warm = first with { Client = client.Name, Records = options.WarmupRecords };
            var runner = new ScenarioRunner(client, target, options.Consume == ConsumeMode.None ? ConsumeMode.None : ConsumeMode.Live, options.TextPayload);
            await RunOneAsync(runner, warm, $"warmup-{warm.Slug}-{runId}", progress);
        }
    }

    private static string Summary(ScenarioResult r)
    {
        if (r.Failure is not null && r.Acked == 0)
        {
            return "FAILED " + r.Failure;
        }

        var c = CultureInfo.InvariantCulture;
        string ack = r.AckLatency is { } a ? string.Create(c, $" ack p50 {a.P50Ms:F2} p99 {a.P99Ms:F2} p99.9 {a.P999Ms:F2} max {a.MaxMs:F1} ms;") : string.Empty;
        string e2e = r.EndToEnd is { } e ? string.Create(c, $" e2e p50 {e.P50Ms:F2} p99 {e.P99Ms:F2} ms;") : string.Empty;
        return string.Create(c, $"{r.ProduceRecordsPerSecond:N0} rec/s {r.ProduceMBps:F1} MB/s;{ack}{e2e} consumed {r.Consumed:N0} of {r.Acked + r.LeadInAcked:N0}{(r.Errors > 0 ? $"; {r.Errors} errors, first: {r.FirstError}" : string.Empty)}{(r.Failure is null ? string.Empty : "; " + r.Failure)}");
    }

    private static async Task MeasureLimitsAsync(HarnessOptions options, LimitsSection limits, string dataDir, string when)
    {
        if (options.SkipLimits)
        {
            limits.FioNote = "skipped (--skip-limits)";
            limits.IperfNote = "skipped (--skip-limits)";
            return;
        }

        // Bandwidth with one fsync at the end, and the latency of a small write + fdatasync (the cost an
        // fsync-before-ack broker pays per flush), before and after the scenarios.
        await limits.MeasureAsync(
            Path.Combine(dataDir, "fio"), options.FioBytes, options.FioSeconds, options.IperfSeconds, when, runFio: true, runIperf: true,
            MachineLimits.EndFsync, MachineLimits.Fdatasync4K);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not delete {directory}: {e.Message}");
        }
    }
}
