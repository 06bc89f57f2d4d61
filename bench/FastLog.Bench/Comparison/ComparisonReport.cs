using System.Globalization;
using System.Text;
using Confluent.Kafka;
using FastLog.Bench.Common;

namespace FastLog.Bench.Comparison;

/// <summary>The markdown report: machine, command, machine limits, every row, and the targets.</summary>
internal sealed class ComparisonReport(ComparisonOptions options, MachineInfo machine, RunInfo run)
{
    public string? BrokerDll { get; set; }

    /// <summary>The broker build's runtime settings (GC mode, tiered compilation, ...), from its runtimeconfig.</summary>
    public string? BrokerRuntime { get; set; }

    public double? BrokerResidentMB { get; set; }

    public double TotalSeconds { get; set; }

    public List<Run> Runs { get; } = [];

    public LimitsSection Limits { get; } = new();

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Rate(double recordsPerSecond) => recordsPerSecond >= 1e6
        ? F(recordsPerSecond / 1e6, "F2") + " M"
        : F(recordsPerSecond / 1e3, "F0") + " k";

    private static string Ms(long micros) => F(micros / 1000.0, micros < 10_000 ? "F2" : "F1");

    private double? FsyncReferenceMBps => Limits.FsyncReferenceMBps;

    private IEnumerable<Run> RunsOf(Row row, string target) =>
        Runs.Where(r => r.Row == row && r.Target == target && r.Error is null);

    private static T? Median<T>(List<T> sorted) where T : class => sorted.Count == 0 ? null : sorted[(sorted.Count - 1) / 2];

    /// <summary>The median produce run (by records/s; for an even count the lower middle).</summary>
    private ProduceResult? MedianProduce(Row row, string target) =>
        Median(RunsOf(row, target).Select(r => r.Produce!).OrderBy(p => p.RecordsPerSecond).ToList());

    private ConsumeResult? MedianConsume(Row row, string target) =>
        Median(RunsOf(row, target).Select(r => r.Consume!).OrderBy(c => c.RecordsPerSecond).ToList());

    private string Spread(Row row, string target, Func<Run, double> rate)
    {
        var rates = RunsOf(row, target).Select(rate).ToList();
        return rates.Count <= 1 ? string.Empty : $" ({Rate(rates.Min())}–{Rate(rates.Max())})";
    }

    public string ToMarkdown()
    {
        var rows = Runs.Select(r => r.Row).Distinct().ToList();
        var targets = Runs.Select(r => r.Target).Distinct().ToList();
        var sb = new StringBuilder();
        sb.AppendLine("# Broker benchmark: FastLog vs librdkafka's in-memory mock cluster, same client, same run");
        sb.AppendLine();
        sb.AppendLine("Produced by `bench/FastLog.Bench --preset broker`. Compare figures only as ratios against the references");
        sb.AppendLine("measured in the same run (the mock cluster, fio, iperf3).");
        sb.AppendLine();
        run.AppendMachineSection(sb, machine, $"client: Confluent.Kafka {typeof(IProducer<,>).Assembly.GetName().Version?.ToString(3)} (librdkafka {Library.VersionString}), workstation GC in the harness; broker: `{BrokerDll ?? "not run"}` as a child process ({BrokerRuntime ?? "runtime settings unknown"}){(BrokerResidentMB is { } rss ? $", resident {F(rss, "F0")} MB at the end of the rows" : string.Empty)}", TotalSeconds);
        AppendMethod(sb);
        AppendLimits(sb);
        AppendProduce(sb, rows, targets);
        AppendConsume(sb, rows, targets);
        AppendTargets(sb, rows);
        AppendRuns(sb);
        return sb.ToString();
    }

    private void AppendMethod(StringBuilder sb)
    {
        sb.AppendLine("## What was measured");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Rows: {Row.CountText(options.SmallCount)} × 100 B and {Row.CountText(options.LargeCount)} × 1 KiB records (null key), acks=1 and acks=all, compression none and lz4. Values are drawn in turn from 1024 distinct values of random letters A–Z (about as compressible as Kafka's perf-test payloads). Every row runs {options.Repeat}× per target, alternating which target goes first; tables give the median run (by records/s) and the min–max of the runs. Each run writes a new topic.");
        sb.AppendLine("- **Targets.** *mock*: librdkafka's mock cluster (`test.mock.num.brokers=1` on a host client in the harness; the producer and consumer reach it over loopback TCP like any broker; records stay in memory; acks=all is answered like acks=1). *FastLog*: the standalone broker, default settings, started as a child process on a free loopback port with `log.dirs` in the data directory; acks=1 is answered after the page-cache write, acks=all after a group-committed fdatasync of the partition.");
        sb.AppendLine("- **Produce**: one Confluent.Kafka producer per run: `linger.ms=5`, `batch.size=1000000`, `batch.num.messages=1000000`, `queue.buffering.max.messages=10000000`, `queue.buffering.max.kbytes=2097151`, `enable.idempotence=false`, `dotnet.producer.delivery.report.fields=status`, all records to partition 0 (a fresh topic, auto-created through Metadata before the clock starts; FastLog's default is one partition). The harness calls `Produce` as fast as the client takes records (all fit in the client queue) and waits for the last delivery report. Records/s and MB/s (values only, MB = 10^6 B) are over first `Produce` → last delivery report. **Latency** is per record, `Produce` call → delivery report, in ms (HdrHistogram): with the whole row queued at once it is mostly time spent queued in the client, so it tracks throughput; it is not an idle-broker round trip.");
        sb.AppendLine("- **Consume**: one consumer per run, `Assign(partition 0, Beginning)` (no group), `fetch.max.bytes=64MiB`, `max.partition.fetch.bytes=4MiB`, `queued.max.messages.kbytes=32768`, `fetch.wait.max.ms=10` (only matters at the end of the log), `queued.min.messages=100000` (a prefetch of about 100,000 records keeps what the fetcher parsed in the CPU caches until the application reads it), `fetch.queue.backoff.ms=1` (with the default, a fetch that overfills the prefetch queue makes librdkafka pause fetching for 1 s), `dotnet.consumer.consume.result.fields=none`, value deserialized as `byte[]`; the connection is made (ListOffsets, which also checks the log holds the row) before the clock starts; the clock stops at the last record. The mock keeps only the last 5 MiB (and 100,000 batches) of a partition (hard-wired in librdkafka's mock), so against it the consumer reads the retained tail and `Seek`s back to its start until it has read as many records as the row (column *passes* of “Every run”); FastLog's consumer reads the whole row once, from offset 0.");
        sb.AppendLine("- **CPU** columns: CPU seconds per wall second during the phase (cores busy, of 2): *client* is the harness process (for the mock it also holds the mock broker's threads), *broker* the FastLog child process, *machine* every process on the machine (wall time × CPUs minus the idle time in `/proc/stat`; near 2.00 means the cores were full, and whatever of it is neither client nor broker is other work on the shared machine). **Flushes**: block-device flush requests completed during the phase (`/proc/diskstats`, whole device, so other work on the machine counts too); FastLog only.");
        sb.AppendLine("- Before the rows each target gets an unreported warm-up (100k × 100 B acks=1, 20k × 1 KiB acks=all lz4, produced and consumed).");
        sb.AppendLine();
    }

    private void AppendLimits(StringBuilder sb)
    {
        sb.AppendLine("## The machine's limits (same run, before and after the rows)");
        sb.AppendLine();
        Limits.AppendMarkdown(sb);
        if (FsyncReferenceMBps is { } reference)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Reference for the acks=all 1 KiB target: **{F(reference, "F0")} MB/s**, the higher of the before/after “1 MiB buffered, one fsync at the end” figures (the machine's fsync'd sequential write bandwidth; the stricter choice).");
            sb.AppendLine();
        }
    }

    private void AppendProduce(StringBuilder sb, List<Row> rows, List<string> targets)
    {
        sb.AppendLine("## Produce");
        sb.AppendLine();
        sb.AppendLine("| row | target | records/s (min–max) | MB/s | latency p50 / p99 / p99.9 ms | CPU client / broker / machine | flushes | FastLog / mock |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            foreach (var target in targets)
            {
                var p = MedianProduce(row, target);
                if (p is null)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"| {row.Id} | {target} | failed | | | | | |");
                    continue;
                }

                bool isFastLog = target != "mock";
                var mock = MedianProduce(row, "mock");
                string ratio = isFastLog && mock is not null ? F(p.RecordsPerSecond / mock.RecordsPerSecond, "F2") + "×" : string.Empty;
                string broker = isFastLog ? F(p.BrokerCpuSeconds / p.Seconds, "F2") : "–";
                string flushes = isFastLog ? p.Disk.FlushesCompleted.ToString(CultureInfo.InvariantCulture) : "–";
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Id} | {target} | {Rate(p.RecordsPerSecond)}{Spread(row, target, r => r.Produce!.RecordsPerSecond)} | {F(p.MBps, "F0")} | {Ms(p.P50Micros)} / {Ms(p.P99Micros)} / {Ms(p.P999Micros)} | {F(p.ClientCpuSeconds / p.Seconds, "F2")} / {broker} / {F(p.MachineBusyCores, "F2")} | {flushes} | {ratio} |");
            }
        }

        sb.AppendLine();
    }

    private void AppendConsume(StringBuilder sb, List<Row> rows, List<string> targets)
    {
        sb.AppendLine("## Consume (the records the produce run just wrote)");
        sb.AppendLine();
        sb.AppendLine("| row | target | records/s (min–max) | MB/s | CPU client / broker / machine | FastLog / mock |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            foreach (var target in targets)
            {
                var c = MedianConsume(row, target);
                if (c is null)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"| {row.Id} | {target} | failed | | | |");
                    continue;
                }

                bool isFastLog = target != "mock";
                var mock = MedianConsume(row, "mock");
                string ratio = isFastLog && mock is not null ? F(c.RecordsPerSecond / mock.RecordsPerSecond, "F2") + "×" : string.Empty;
                string broker = isFastLog ? F(c.BrokerCpuSeconds / c.Seconds, "F2") : "–";
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Id} | {target} | {Rate(c.RecordsPerSecond)}{Spread(row, target, r => r.Consume!.RecordsPerSecond)} | {F(c.MBps, "F0")} | {F(c.ClientCpuSeconds / c.Seconds, "F2")} / {broker} / {F(c.MachineBusyCores, "F2")} | {ratio} |");
            }
        }

        sb.AppendLine();
    }

    private void AppendTargets(StringBuilder sb, List<Row> rows)
    {
        sb.AppendLine("## Targets (FastLog's median run)");
        sb.AppendLine();
        sb.AppendLine("| row | produce target | measured | produce met? | consume target | measured | consume met? |");
        sb.AppendLine("| --- | --- | ---: | :---: | --- | ---: | :---: |");
        foreach (var row in rows)
        {
            var p = MedianProduce(row, "FastLog");
            var mock = MedianProduce(row, "mock");
            var c = MedianConsume(row, "FastLog");
            string produceTarget, produceMeasured, produceMet;
            if (row.Acks == Acks.All && row.RecordBytes >= 1024)
            {
                var reference = FsyncReferenceMBps;
                produceTarget = reference is null ? "≥ 0.7 × fsync'd seq. write (no fio figure)" : $"≥ 0.7 × {F(reference.Value, "F0")} MB/s = {F(0.7 * reference.Value, "F0")} MB/s";
                produceMeasured = p is null ? "failed" : $"{F(p.MBps, "F0")} MB/s ({(reference is null ? "?" : F(p.MBps / reference.Value, "F2"))}×)";
                produceMet = p is null || reference is null ? "?" : p.MBps >= 0.7 * reference.Value ? "yes" : "**no**";
            }
            else
            {
                double factor = row.Acks == Acks.All ? 0.8 : 0.9;
                produceTarget = $"≥ {F(factor, "F1")} × mock records/s";
                produceMeasured = p is null || mock is null ? "?" : $"{F(p.RecordsPerSecond / mock.RecordsPerSecond, "F2")}×";
                produceMet = p is null || mock is null ? "?" : p.RecordsPerSecond >= factor * mock.RecordsPerSecond ? "yes" : "**no**";
            }

            string consumeTarget, consumeMeasured, consumeMet;
            if (row.RecordBytes >= 1024)
            {
                consumeTarget = "≥ 1 GB/s";
                consumeMeasured = c is null ? "failed" : $"{F(c.MBps, "F0")} MB/s";
                consumeMet = c is null ? "?" : c.MBps >= 1000 ? "yes" : "**no**";
            }
            else
            {
                consumeTarget = "≥ 1 M records/s";
                consumeMeasured = c is null ? "failed" : Rate(c.RecordsPerSecond) + " rec/s";
                consumeMet = c is null ? "?" : c.RecordsPerSecond >= 1e6 ? "yes" : "**no**";
            }

            sb.AppendLine(CultureInfo.InvariantCulture, $"| {row.Id} | {produceTarget} | {produceMeasured} | {produceMet} | {consumeTarget} | {consumeMeasured} | {consumeMet} |");
        }

        sb.AppendLine();
    }

    private void AppendRuns(StringBuilder sb)
    {
        sb.AppendLine("## Every run");
        sb.AppendLine();
        sb.AppendLine("| row | target | run | produce records/s | MB/s | p50 / p99 / p99.9 ms | CPU client / broker | flushes | disk MB written | consume records/s | MB/s | passes |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var run in Runs)
        {
            if (run.Error is not null)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {run.Row.Id} | {run.Target} | {run.Repetition + 1} | failed: {run.Error.Replace('|', '/').ReplaceLineEndings(" ")} | | | | | | | | |");
                continue;
            }

            var p = run.Produce!;
            var c = run.Consume!;
            bool isFastLog = run.Target != "mock";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {run.Row.Id} | {run.Target} | {run.Repetition + 1} | {Rate(p.RecordsPerSecond)} | {F(p.MBps, "F0")} | {Ms(p.P50Micros)} / {Ms(p.P99Micros)} / {Ms(p.P999Micros)} | {F(p.ClientCpuSeconds / p.Seconds, "F2")} / {(isFastLog ? F(p.BrokerCpuSeconds / p.Seconds, "F2") : "–")} | {(isFastLog ? p.Disk.FlushesCompleted.ToString(CultureInfo.InvariantCulture) : "–")} | {(isFastLog ? F(p.Disk.MBWritten, "F0") : "–")} | {Rate(c.RecordsPerSecond)} | {F(c.MBps, "F0")} | {c.Passes} |");
        }

        sb.AppendLine();
    }
}
