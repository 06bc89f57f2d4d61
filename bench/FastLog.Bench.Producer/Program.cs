using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastLog.Bench.Common;
using FastLog.Bench.Producer;

// Usage: [--small-count N] [--large-count N] [--repeat N] [--out file.md]
var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["--small-count"] = "1000000", ["--large-count"] = "200000", ["--repeat"] = "3" };
for (int i = 0; i + 1 < args.Length; i += 2)
{
    settings[args[i]] = args[i + 1];
}

int small = int.Parse(settings["--small-count"], CultureInfo.InvariantCulture);
int large = int.Parse(settings["--large-count"], CultureInfo.InvariantCulture);
int repeat = int.Parse(settings["--repeat"], CultureInfo.InvariantCulture);
settings.TryGetValue("--out", out string? outFile);
string runId = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
string dataDir = Path.Combine(Path.GetTempPath(), $"fastlog-bench-producer-{Environment.ProcessId}");
Directory.CreateDirectory(dataDir);
var results = new List<(Row Row, RunResult Result)>();
var total = Stopwatch.StartNew();
try
{
    await using var broker = await BrokerProcess.StartAsync(RepositoryPaths.BrokerDll(), dataDir, TimeSpan.FromSeconds(60));
    Console.Error.WriteLine($"broker at {broker.Bootstrap}; warm-up (not reported)");
    foreach (var warm in new[] { new Row(100, 100_000, "1", "none"), new Row(1024, 20_000, "all", "lz4") })
    {
        byte[][] payloads = Runs.Payloads(warm.RecordBytes);
        await Runs.FastLogAsync(broker.Bootstrap, $"warm-fl-{warm.RecordBytes}-{runId}", warm, payloads, () => broker.CpuTime);
        Runs.Confluent(broker.Bootstrap, $"warm-ck-{warm.RecordBytes}-{runId}", warm, payloads, () => broker.CpuTime);
    }

    foreach (Row row in Row.Matrix(small, large))
    {
        byte[][] payloads = Runs.Payloads(row.RecordBytes);
        for (int rep = 0; rep < repeat; rep++)
        {
            // Alternate which client goes first, so drift on the shared machine hits both alike.
            for (int turn = 0; turn < 2; turn++)
            {
                bool fastLog = (turn == 0) == (rep % 2 == 0);
                string topic = $"p-{row.RecordBytes}-{row.Acks}-{row.Compression}-{(fastLog ? "fl" : "ck")}-{rep}-{runId}";
                GC.Collect();
                RunResult result = fastLog
                    ? await Runs.FastLogAsync(broker.Bootstrap, topic, row, payloads, () => broker.CpuTime)
                    : Runs.Confluent(broker.Bootstrap, topic, row, payloads, () => broker.CpuTime);
                results.Add((row, result));
                Console.Error.WriteLine($"  {row.Id,-32} {result.Client,-16} {Runs.Rate(result.RecordsPerSecond),12} rec/s  errors {result.Errors}");
            }
        }
    }
}
finally
{
    Directory.Delete(dataDir, recursive: true);
}

var report = new StringBuilder();
report.AppendLine("| row | FastLog producer rec/s | Confluent.Kafka rec/s | ratio | client CPU s (FastLog / Confluent) | broker CPU s (FastLog / Confluent) |");
report.AppendLine("| --- | ---: | ---: | ---: | --- | --- |");
foreach (var group in results.GroupBy(r => r.Row))
{
    RunResult Median(string client) => group.Where(r => r.Result.Client == client).Select(r => r.Result).OrderBy(r => r.RecordsPerSecond).ElementAt(repeat / 2);
    RunResult fl = Median("FastLog");
    RunResult ck = Median("Confluent.Kafka");
    report.AppendLine(CultureInfo.InvariantCulture, $"| {group.Key.Id} | {Runs.Rate(fl.RecordsPerSecond)} | {Runs.Rate(ck.RecordsPerSecond)} | {fl.RecordsPerSecond / ck.RecordsPerSecond:F2} | {fl.ClientCpuSeconds:F2} / {ck.ClientCpuSeconds:F2} | {fl.BrokerCpuSeconds:F2} / {ck.BrokerCpuSeconds:F2} |");
}

report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Medians of {repeat} runs per client and row; total {total.Elapsed.TotalMinutes:F1} min.");
Console.WriteLine(report);
if (outFile is not null)
{
    await File.WriteAllTextAsync(outFile, report.ToString());
}
