using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FastLog.Bench.Common;

namespace FastLog.Bench.Harness;

/// <summary>
/// Writes NAME.md, NAME.csv, NAME.json and NAME.png into the output folder, and refreshes the run's
/// table in that folder's README.md between its <c>&lt;!-- latest:NAME --&gt;</c> markers, so the
/// index always shows the newest figures and the command that made them.
/// </summary>
internal static class ResultFiles
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string DefaultOutDir() =>
        RepositoryPaths.Root() is { } root ? Path.Combine(root, "perf-results") : Path.GetFullPath("perf-results");

    /// <summary>Every file a run with these options may write or rewrite.</summary>
    public static IReadOnlyList<string> PathsFor(HarnessOptions options)
    {
        string dir = Path.GetFullPath(options.OutDir ?? DefaultOutDir());
        string stem = Path.Combine(dir, options.Name);
        return [stem + ".png", stem + ".md", stem + ".csv", stem + ".json", Path.Combine(dir, "README.md")];
    }

    public static async Task<List<string>> WriteAsync(HarnessOptions options, HarnessReport report)
    {
        string dir = Path.GetFullPath(options.OutDir ?? DefaultOutDir());
        Directory.CreateDirectory(dir);
        string stem = Path.Combine(dir, options.Name);
        var files = new List<string>();

        string? plot = ResultPlot.TryWrite(report.Results, stem + ".png", report.Title, out string? plotProblem);
        if (plot is not null)
        {
            report.PlotFile = Path.GetFileName(plot);
            files.Add(plot);
        }
        else
        {
            Console.Error.WriteLine($"no plot: {plotProblem}");
        }

        await File.WriteAllTextAsync(stem + ".md", report.Markdown());
        files.Add(stem + ".md");
        await File.WriteAllTextAsync(stem + ".csv", Csv(report));
        files.Add(stem + ".csv");
        await File.WriteAllTextAsync(stem + ".json", JsonSerializer.Serialize(Document(report), Json));
        files.Add(stem + ".json");
        if (await UpdateIndexAsync(Path.Combine(dir, "README.md"), options.Name, report))
        {
            files.Add(Path.Combine(dir, "README.md"));
        }

        return files;
    }

    public static string Csv(HarnessReport report)
    {
        var csv = new CsvWriter(
            "client", "broker", "mode", "producers", "partitions", "record_bytes", "acks", "compression", "linger_ms", "target_rate",
            "records_sent", "records_acked", "lead_in_acked", "errors", "produce_seconds", "produce_records_per_s", "produce_mb_per_s",
            "ack_p50_ms", "ack_p99_ms", "ack_p999_ms", "ack_max_ms", "send_delay_p99_ms",
            "e2e_p50_ms", "e2e_p99_ms", "e2e_p999_ms", "e2e_max_ms",
            "consume", "records_consumed", "consume_seconds", "consume_records_per_s", "consume_mb_per_s",
            "harness_cores", "broker_cores", "machine_cores", "stolen_cores", "harness_gc_collections", "harness_gc_gen2", "harness_gc_paused_ms", "failure");
        foreach (var r in report.Results)
        {
            var s = r.Scenario;
            csv.AppendRow(
                s.Client, r.Broker, s.Mode, s.Producers, s.Partitions, s.RecordBytes, s.AcksName, s.CompressionName, s.LingerMs, s.Rate,
                r.Sent, r.Acked, r.LeadInAcked, r.Errors, r.ProduceSeconds, r.ProduceRecordsPerSecond, r.ProduceMBps,
                r.AckLatency?.P50Ms, r.AckLatency?.P99Ms, r.AckLatency?.P999Ms, r.AckLatency?.MaxMs, r.SendDelay?.P99Ms,
                r.EndToEnd?.P50Ms, r.EndToEnd?.P99Ms, r.EndToEnd?.P999Ms, r.EndToEnd?.MaxMs,
                r.Consume, r.Consumed, r.ConsumeSeconds, r.ConsumeRecordsPerSecond, r.ConsumeMBps,
                r.ClientCores, r.BrokerCores, r.MachineCores, r.StolenCores, r.HarnessGc.Collections, r.HarnessGc.Gen2Collections, r.HarnessGc.PausedMs, r.Failure);
        }

        return csv.ToString();
    }

    private static object Document(HarnessReport report) => new
    {
        report.Title,
        report.Run.Command,
        Commit = report.Run.CommitText,
        Started = report.Run.Started,
        report.TotalSeconds,
        Load = report.Run.Load.Select(l => new { l.When, l.Load }),
        Machine = report.Machine,
        Broker = report.BrokerDescription,
        Limits = new { Fio = report.Limits.Fio, report.Limits.FioNote, Iperf = report.Limits.Iperf, report.Limits.IperfNote, report.Limits.Notes },
        Results = report.Results.Select(r => new
        {
            r.Scenario.Client,
            r.Broker,
            r.Scenario.Mode,
            r.Scenario.Producers,
            r.Scenario.Partitions,
            r.Scenario.RecordBytes,
            Acks = r.Scenario.AcksName,
            Compression = r.Scenario.CompressionName,
            r.Scenario.LingerMs,
            TargetRate = r.Scenario.Rate,
            r.Sent,
            r.Acked,
            r.LeadInAcked,
            r.Errors,
            r.FirstError,
            r.ProduceSeconds,
            r.ProduceRecordsPerSecond,
            r.ProduceMBps,
            r.AckLatency,
            r.SendDelay,
            r.EndToEnd,
            r.Consume,
            r.Consumed,
            r.ConsumeSeconds,
            r.ConsumeRecordsPerSecond,
            r.ConsumeMBps,
            r.ClientCores,
            r.BrokerCores,
            r.MachineCores,
            r.StolenCores,
            r.HarnessGc,
            r.Failure,
        }),
    };

    /// <summary>Replaces the text between <c>&lt;!-- latest:NAME --&gt;</c> and <c>&lt;!-- /latest:NAME --&gt;</c>; false when the file or markers are absent.</summary>
    private static async Task<bool> UpdateIndexAsync(string readme, string name, HarnessReport report)
    {
        if (!File.Exists(readme))
        {
            return false;
        }

        string text = await File.ReadAllTextAsync(readme);
        string open = $"<!-- latest:{name} -->";
        string close = $"<!-- /latest:{name} -->";
        int start = text.IndexOf(open, StringComparison.Ordinal);
        int end = text.IndexOf(close, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            return false;
        }

        var block = new StringBuilder();
        block.AppendLine(open);
        block.AppendLine(CultureInfo.InvariantCulture, $"Latest `{name}` run: {report.Run.Started:yyyy-MM-dd HH:mm} UTC, commit `{report.Run.CommitText}`, {report.Machine.Cores} cores, load average at start {report.Run.Load[0].Load}; details in [{name}.md]({name}.md). Reproduce with:");
        block.AppendLine();
        block.AppendLine("```");
        block.AppendLine(report.Run.Command);
        block.AppendLine("```");
        block.AppendLine();
        block.Append(report.ResultsTable());
        text = text[..start] + block + text[end..];
        await File.WriteAllTextAsync(readme, text);
        return true;
    }
}
