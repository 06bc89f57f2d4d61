using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using FastLog.Bench.Common;
using FastLog.Bench.Consume;

// Usage: [--small-count N] [--large-count N] [--rounds N] [--rows filter] [--out file.md] [--broker-dll path]
var settings = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2)
{
    settings[args[i].TrimStart('-')] = args[i + 1];
}

int Setting(string name, int fallback) => settings.TryGetValue(name, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
int smallCount = Setting("small-count", 1_000_000);
int largeCount = Setting("large-count", 200_000);
int rounds = Setting("rounds", 3);
string? filter = settings.GetValueOrDefault("rows");
string? output = settings.GetValueOrDefault("out");

var rows = new List<(int Bytes, int Count, CompressionType Codec)>();
foreach ((int bytes, int count) in new[] { (100, smallCount), (1024, largeCount) })
{
    foreach (CompressionType codec in new[] { CompressionType.None, CompressionType.Lz4 })
    {
        rows.Add((bytes, count, codec));
    }
}

string Name((int Bytes, int Count, CompressionType Codec) row) =>
    $"{row.Count:N0} × {(row.Bytes >= 1024 ? row.Bytes / 1024 + " KiB" : row.Bytes + " B")} {row.Codec.ToString().ToLowerInvariant()}";
rows = [.. rows.Where(r => filter is null || Name(r).Contains(filter, StringComparison.OrdinalIgnoreCase))];

string dataDir = Path.Combine(Path.GetTempPath(), $"fastlog-bench-consume-{Environment.ProcessId}");
Directory.CreateDirectory(dataDir);
var report = new StringBuilder();
string commit = Run("git", "rev-parse --short HEAD") ?? "unknown";
report.AppendLine("# Consume throughput: FastLog.Client vs Confluent.Kafka").AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, commit `{commit}`");
report.AppendLine(CultureInfo.InvariantCulture, $"- machine: {Environment.ProcessorCount} cores, {FirstValue("/proc/cpuinfo", "model name") ?? "?"}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, load average before: {Load()}");
report.AppendLine(CultureInfo.InvariantCulture, $"- command: `dotnet run -c Release --project bench/FastLog.Bench.Consume -- {string.Join(' ', args)}`");
report.AppendLine("- method: records produced once with Confluent.Kafka to partition 0 of one topic on a FastLog broker (child process); then, per round, " +
    "each client assigns partition 0 from the beginning and reads every record, the clock running from assignment to the last record. " +
    "Clients alternate within a round. Confluent.Kafka uses the broker benchmark's tuned settings (64 MiB fetches, 256 MiB queue, " +
    "ConsumeResultFields=none) and copies each value into a byte[]; FastLog ReadAllAsync reads zero-copy views; FastLog ConsumeAsync copies each value as Confluent does. " +
    "Allocated = managed bytes allocated by the whole process during the read (background fetch loops included) per record.");
report.AppendLine();
report.AppendLine("| row | client | best records/s | median records/s | vs Confluent (median) | client CPU s | broker CPU s | allocated B/record |");
report.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");

await using (BrokerProcess broker = await BrokerProcess.StartAsync(settings.GetValueOrDefault("broker-dll") ?? RepositoryPaths.BrokerDll(), dataDir, TimeSpan.FromSeconds(60)))
{
    Console.Error.WriteLine($"broker at {broker.Bootstrap}");
    foreach (var row in rows)
    {
        string topic = $"consume-{row.Bytes}-{row.Codec.ToString().ToLowerInvariant()}";
        Produce(broker.Bootstrap, topic, row.Bytes, row.Count, row.Codec);
        var results = new Dictionary<string, List<Measurement>>();
        for (int round = 0; round < rounds; round++)
        {
            var measured = new List<Measurement>
            {
                Runners.Confluent(broker.Bootstrap, topic, row.Count, () => broker.CpuTime),
                await Runners.FastLogViewsAsync(broker.Bootstrap, topic, row.Count, () => broker.CpuTime),
                await Runners.FastLogResultsAsync(broker.Bootstrap, topic, row.Count, () => broker.CpuTime),
            };
            foreach (Measurement m in measured)
            {
                Console.Error.WriteLine($"{Name(row)} round {round + 1}: {m.Client,-22} {m.RecordsPerSecond,12:N0} rec/s  cpu {m.ClientCpuSeconds:F2}s  broker {m.BrokerCpuSeconds:F2}s  alloc {m.AllocatedBytesPerRecord:F1} B/rec");
                (results.TryGetValue(m.Client, out var list) ? list : results[m.Client] = []).Add(m);
            }
        }

        double confluentMedian = Median(results["Confluent.Kafka"]);
        foreach ((string client, List<Measurement> list) in results)
        {
            double median = Median(list);
            Measurement middle = list.OrderBy(m => m.RecordsPerSecond).ElementAt(list.Count / 2);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {Name(row)} | {client} | {list.Max(m => m.RecordsPerSecond):N0} | {median:N0} | {median / confluentMedian:F2}× | {middle.ClientCpuSeconds:F2} | {middle.BrokerCpuSeconds:F2} | {middle.AllocatedBytesPerRecord:F1} |");
        }
    }
}

Directory.Delete(dataDir, recursive: true);
report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Load average after: {Load()}.");
Console.WriteLine(report.ToString());
if (output is not null)
{
    await File.WriteAllTextAsync(output, report.ToString());
}

return 0;

static double Median(List<Measurement> list) => list.Select(m => m.RecordsPerSecond).Order().ElementAt(list.Count / 2);

static void Produce(string bootstrap, string topic, int bytes, int count, CompressionType codec)
{
    var config = new ProducerConfig
    {
        BootstrapServers = bootstrap,
        Acks = Acks.Leader,
        LingerMs = 5,
        BatchSize = 1_000_000,
        BatchNumMessages = 1_000_000,
        QueueBufferingMaxMessages = 10_000_000,
        QueueBufferingMaxKbytes = 2_097_151,
        CompressionType = codec,
        EnableIdempotence = false,
    };
    var random = new Random(42);
    byte[][] values = [.. Enumerable.Range(0, 1024).Select(_ => Enumerable.Range(0, bytes).Select(_ => (byte)('A' + random.Next(26))).ToArray())];
    using var producer = new ProducerBuilder<Null, byte[]>(config).Build();
    var clock = Stopwatch.StartNew();
    long failed = 0;
    for (int i = 0; i < count; i++)
    {
        while (true)
        {
            try
            {
                producer.Produce(new TopicPartition(topic, 0), new Message<Null, byte[]> { Value = values[i % values.Length] }, r =>
                {
                    if (r.Error.IsError)
                    {
                        Interlocked.Increment(ref failed);
                    }
                });
                break;
            }
            catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    producer.Flush(TimeSpan.FromMinutes(5));
    if (failed > 0)
    {
        throw new InvalidOperationException($"{failed} records failed to produce to {topic}");
    }

    Console.Error.WriteLine($"produced {count:N0} records to {topic} in {clock.Elapsed.TotalSeconds:F1} s");
}

static string? Run(string file, string arguments)
{
    try
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, UseShellExecute = false });
        string? text = process?.StandardOutput.ReadToEnd().Trim();
        process?.WaitForExit();
        return string.IsNullOrEmpty(text) ? null : text;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return null;
    }
}

static string? FirstValue(string file, string key) =>
    File.Exists(file) ? File.ReadLines(file).Where(l => l.StartsWith(key, StringComparison.Ordinal)).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault() : null;

static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
