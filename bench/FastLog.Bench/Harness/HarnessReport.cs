using System.Globalization;
using System.Text;
using FastLog.Bench.Clients;
using FastLog.Bench.Common;

namespace FastLog.Bench.Harness;

/// <summary>The markdown report of a harness run: where it ran, how, the machine's limits, every scenario, and the preset's verdicts.</summary>
internal sealed class HarnessReport(
    HarnessOptions options, MachineInfo machine, RunInfo run, LimitsSection limits, IReadOnlyList<ScenarioResult> results,
    IReadOnlyList<string> clientDescriptions, string brokerDescription, double totalSeconds)
{
    public HarnessOptions Options => options;

    public MachineInfo Machine => machine;

    public RunInfo Run => run;

    public LimitsSection Limits => limits;

    public IReadOnlyList<ScenarioResult> Results => results;

    public string BrokerDescription => brokerDescription;

    public double TotalSeconds => totalSeconds;

    /// <summary>File name of the plot beside the report, when one was drawn.</summary>
    public string? PlotFile { get; set; }

    public string Title => options.Preset switch
    {
        "omb" => "OMB-style latency workload: fixed rate at half the measured maximum, fsync before every ack",
        "client" => "Client comparison: FastLog.Client vs Confluent.Kafka, same broker, same run",
        _ => "Benchmark harness: producers × partitions × record size × acks × compression × linger",
    };

    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# {Title}");
        md.AppendLine();
        md.AppendLine("Produced by `bench/FastLog.Bench`. Compare figures only as ratios against the references measured in");
        md.AppendLine("the same run (fio, iperf3, the other client or broker): the machine is shared and noisy.");
        md.AppendLine();
        run.AppendMachineSection(md, machine, "server GC off in the harness", totalSeconds);
        AppendMethod(md);
        md.AppendLine("## The machine's limits (same run, before and after the scenarios)");
        md.AppendLine();
        limits.AppendMarkdown(md);
        AppendResults(md);
        AppendVerdicts(md);
        AppendClientRatios(md);
        AppendFailures(md);
        if (PlotFile is not null)
        {
            md.AppendLine("## Plot");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"![throughput and latency percentiles per scenario]({PlotFile})");
            md.AppendLine();
        }

        return md.ToString();
    }

    /// <summary>The summary table alone (for perf-results/README.md).</summary>
    public string ResultsTable()
    {
        var md = new StringBuilder();
        AppendTable(md);
        return md.ToString();
    }

    private void AppendMethod(StringBuilder md)
    {
        md.AppendLine("## What was measured");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Broker**: {brokerDescription}.");
        foreach (string client in clientDescriptions)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- **Client**: {client}.");
        }

        md.AppendLine("- **Scenarios**: each gets a new topic with its partition count (created through the admin API before the clock starts). Every producer is its own client on its own thread; records have a null key and go round-robin over the partitions. Each value starts with the send time (8 bytes, monotonic clock) followed by " + (options.TextPayload ? "space-separated words from a 64-word vocabulary (compressible text)" : "random letters A–Z (which LZ4 cannot shrink)") + ", from a pool of 1,024 values.");
        md.AppendLine("- **Throughput mode**: the producers send as fast as the client takes records. Records/s and MB/s (values only, MB = 10^6 B) run from the first send to the last acknowledgement.");
        string leadIn = options.WarmupSeconds > 0
            ? string.Create(CultureInfo.InvariantCulture, $" Each latency run starts with {options.WarmupSeconds:0.#} s of lead-in at the same rate on the same topic (OpenMessaging Benchmark's warm-up traffic): those records are produced, acknowledged and read like the rest, but their latencies, send delays and CPU time are left out, and the records column counts only the measured ones.")
            : string.Empty;
        md.AppendLine(CultureInfo.InvariantCulture, $"- **Latency mode** (`--rate`, {(options.Rate is { } rate ? rate.ToString() : "not used in this run")}): the producers release records on a fixed schedule, in bursts at most about 1 ms apart; *send delay* is how late a send left against its slot. A run that cannot keep the rate shows it as achieved < target.{leadIn}");
        md.AppendLine("- **Harness GC** (in the mode column): the harness process's garbage collections over the measured window, full (gen2) ones among them, and how long they paused its threads; they include an in-process broker's.");
        md.AppendLine("- **Produce latency**: per record, send to the client's acknowledgement (HdrHistogram, µs resolution, reported in ms). In throughput mode this includes time queued in the client, so it tracks throughput, not an idle round trip.");
        md.AppendLine(options.Consume switch
        {
            ConsumeMode.Live => "- **End-to-end latency**: one consumer (every partition assigned from offset 0, no group) reads while the producers write; per record, the moment the client hands it over minus the send time in its value. Producer and consumer share one process and one clock. Consume records/s runs from the first send to the last record read.",
            ConsumeMode.After => "- **Consume**: once every record is acknowledged, one consumer (every partition from offset 0, no group) reads them all back; records/s from the first record handed over to the last (connecting and the first fetch are left out: each client pays them its own way).",
            _ => "- **Consume**: not measured (`--consume none`).",
        });
        md.AppendLine("- **CPU**: cores busy during the produce phase: *harness* is this process (it includes an in-process broker or mock cluster), *broker* a FastLog child process, *machine* every process (wall time × CPUs minus the idle time in `/proc/stat`; of 2 cores), and in brackets the part of it the host took from this virtual machine (steal time): a run whose slow records fall where steal rises was slowed by its neighbours, not by what it measures.");
        if (options.Clients.Count > 1)
        {
            md.AppendLine("- **Order**: each cell of the matrix runs the clients back to back, and which client goes first alternates from cell to cell. The second one writes into a page cache the first has just filled, which costs it on this machine: in the `omb` preset with two clients, each client's maximum was lower when it ran second. With a single cell, compare clients from separate runs.");
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"- Before the scenarios each client gets an unreported warm-up of {options.WarmupRecords:N0} records in the first scenario's shape.");
        md.AppendLine();
    }

    private void AppendResults(StringBuilder md)
    {
        md.AppendLine("## Results");
        md.AppendLine();
        AppendTable(md);
        md.AppendLine();
    }

    private void AppendTable(StringBuilder md)
    {
        md.AppendLine("| # | client | scenario | mode | records | records/s | MB/s | produce latency p50 / p99 / p99.9 / max ms | end-to-end p50 / p99 / p99.9 / max ms | consumed | consume records/s | CPU harness / broker / machine (stolen) |");
        md.AppendLine("| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var s = r.Scenario;
            string mode = s.Rate is { } rate
                ? $"latency, target {Scenario.RateText(rate)}/s{(r.SendDelay is { } d ? $", send delay p99 {Ms(d.P99Ms)} ms" : string.Empty)}{(r.LeadInAcked > 0 ? $", after {r.LeadInAcked:N0} lead-in records" : string.Empty)}{Gc(r.HarnessGc)}"
                : $"throughput{Gc(r.HarnessGc)}";
            if (r.Failure is not null && r.Acked == 0)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {s.Client} | {s.Label} | {mode} | {s.Records:N0} | failed | | | | | | |");
                continue;
            }

            string consumed = r.Consume == "none" ? "–" : $"{r.Consumed:N0}{(r.CountsMatch ? string.Empty : " **≠ acked**")}";
            string consumeRate = r.Consume == "none" ? "–" : Rate(r.ConsumeRecordsPerSecond);
            string broker = r.BrokerCores is { } b ? F(b, "F2") : "–";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {i + 1} | {s.Client} | {s.Label} | {mode} | {r.Acked:N0}{(r.Errors > 0 ? $" ({r.Errors:N0} errors)" : string.Empty)} | {Rate(r.ProduceRecordsPerSecond)} | {F(r.ProduceMBps, "F1")} | {Percentiles(r.AckLatency)} | {Percentiles(r.EndToEnd)} | {consumed} | {consumeRate} | {F(r.ClientCores, "F2")} / {broker} / {F(r.MachineCores, "F2")} ({F(r.StolenCores, "F2")}) |");
        }
    }

    private void AppendVerdicts(StringBuilder md)
    {
        if (options.TargetP99Ms is not { } target)
        {
            return;
        }

        md.AppendLine("## Target");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"p99 produce latency ≤ {F(target, "0.#")} ms at the fixed rate, {(options.FsyncEveryMessage ? "with fsync before every acknowledgement (`log.flush.interval.messages=1`)" : "without forcing fsync per message")}:");
        md.AppendLine();
        md.AppendLine("| client | scenario | target rate | achieved | produce p99 ms | cores stolen by the host | met? |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | :---: |");
        foreach (var r in results.Where(r => r.Scenario.LatencyMode))
        {
            string p99 = r.AckLatency is { } a ? Ms(a.P99Ms) : "–";
            bool rateKept = r.ProduceRecordsPerSecond >= 0.95 * r.Scenario.Rate!.Value;
            string met = r.AckLatency is null || r.Failure is not null ? "?" : r.AckLatency.P99Ms <= target && rateKept ? "yes" : "**no**";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Scenario.Client} | {r.Scenario.Label} | {Rate(r.Scenario.Rate.Value)} | {Rate(r.ProduceRecordsPerSecond)}{(rateKept ? string.Empty : " (rate not kept)")} | {p99} | {F(r.StolenCores, "F2")} | {met} |");
        }

        md.AppendLine();
    }

    private void AppendClientRatios(StringBuilder md)
    {
        var clients = results.Select(r => r.Scenario.Client).Distinct().ToList();
        if (clients.Count < 2)
        {
            return;
        }

        string reference = clients.Contains("confluent") ? "confluent" : clients[0];
        md.AppendLine(CultureInfo.InvariantCulture, $"## Clients against {reference}, same scenario");
        md.AppendLine();
        md.AppendLine("| scenario | client | produce records/s ratio | produce p99 ratio | consume records/s ratio |");
        md.AppendLine("| --- | --- | ---: | ---: | ---: |");
        foreach (var group in results.Where(r => r.Failure is null).GroupBy(r => r.Scenario with { Client = string.Empty }))
        {
            var baseline = group.FirstOrDefault(r => r.Scenario.Client == reference);
            if (baseline is null)
            {
                continue;
            }

            foreach (var r in group.Where(r => r.Scenario.Client != reference))
            {
                string p99 = r.AckLatency is { } a && baseline.AckLatency is { } b && b.P99Ms > 0 ? F(a.P99Ms / b.P99Ms, "F2") + "×" : "–";
                string consume = baseline.ConsumeRecordsPerSecond > 0 ? F(r.ConsumeRecordsPerSecond / baseline.ConsumeRecordsPerSecond, "F2") + "×" : "–";
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {group.Key.Label} | {r.Scenario.Client} | {F(r.ProduceRecordsPerSecond / Math.Max(1e-9, baseline.ProduceRecordsPerSecond), "F2")}× | {p99} | {consume} |");
            }
        }

        md.AppendLine();
    }

    private void AppendFailures(StringBuilder md)
    {
        var failed = results.Where(r => r.Failure is not null || r.Errors > 0 || !r.CountsMatch).ToList();
        if (failed.Count == 0)
        {
            return;
        }

        md.AppendLine("## Problems");
        md.AppendLine();
        foreach (var r in failed)
        {
            var problems = new List<string>();
            if (r.Failure is not null)
            {
                problems.Add(r.Failure);
            }

            if (r.Errors > 0)
            {
                problems.Add($"{r.Errors:N0} produce errors, first: {r.FirstError}");
            }

            if (!r.CountsMatch)
            {
                problems.Add($"consumed {r.Consumed:N0} of {r.Acked + r.LeadInAcked:N0} acknowledged records");
            }

            md.AppendLine(CultureInfo.InvariantCulture, $"- {r.Scenario.Client} {r.Scenario.Label}: {string.Join("; ", problems).ReplaceLineEndings(" ")}");
        }

        md.AppendLine();
    }

    private static string Percentiles(LatencySummary? l) => l is null ? "–" : $"{Ms(l.P50Ms)} / {Ms(l.P99Ms)} / {Ms(l.P999Ms)} / {Ms(l.MaxMs)}";

    private static string Ms(double ms) => F(ms, ms < 10 ? "F2" : "F1");

    private static string Gc(GcActivity gc) =>
        string.Create(CultureInfo.InvariantCulture, $", harness GC {gc.Collections} ({gc.Gen2Collections} gen2), {Ms(gc.PausedMs)} ms paused");

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Rate(double perSecond) => perSecond >= 1e6
        ? F(perSecond / 1e6, "F2") + " M"
        : perSecond >= 1e3 ? F(perSecond / 1e3, "F1") + " k" : F(perSecond, "F0");
}
