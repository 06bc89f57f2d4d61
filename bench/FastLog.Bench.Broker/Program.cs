using System.Diagnostics;
using Confluent.Kafka;
using FastLog.Bench.Broker;

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

if (options.Groups)
{
    return await GroupsBench.RunAsync(options);
}

bool ownDataDir = options.DataDir is null;
string dataDir = Path.GetFullPath(options.DataDir ?? Path.Combine(Path.GetTempPath(), $"fastlog-bench-broker-{Environment.ProcessId}"));
Directory.CreateDirectory(dataDir);
var machine = MachineInfo.Collect(dataDir);
var report = new Report(options, machine, DateTimeOffset.UtcNow)
{
    Commit = await MachineLimits.TryRunAsync("git", "rev-parse --short HEAD") ?? "unknown",
    Dirty = !string.IsNullOrEmpty(await MachineLimits.TryRunAsync("git", "status --porcelain --untracked-files=no")),
};
report.Load.Add(("start", LoadAverage()));
var total = Stopwatch.StartNew();
var rows = Row.Matrix(options.SmallCount, options.LargeCount)
    .Where(r => options.RowFilter is null || r.Id.Contains(options.RowFilter, StringComparison.OrdinalIgnoreCase))
    .ToList();
string runId = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
int failures = 0;

try
{
    await MachineLimitsAsync("before");

    MockCluster? mock = null;
    BrokerProcess? broker = null;
    try
    {
        if (options.RunMock)
        {
            mock = new MockCluster();
            Console.Error.WriteLine($"mock cluster at {mock.Bootstrap}");
        }

        if (options.RunFastLog)
        {
            string dll = options.BrokerDll ?? BrokerProcess.LocateDll();
            string logDir = Path.Combine(dataDir, "broker");
            Directory.CreateDirectory(logDir);
            broker = await BrokerProcess.StartAsync(dll, logDir, TimeSpan.FromSeconds(60));
            report.BrokerDll = Path.GetFileName(dll);
            Console.Error.WriteLine($"FastLog broker (pid {broker.Pid}) at {broker.Bootstrap}");
        }

        var targets = new List<Target>();
        if (mock is not null)
        {
            targets.Add(new Target(Target.Mock, mock.Bootstrap, null, null));
        }

        if (broker is not null)
        {
            var b = broker;
            targets.Add(new Target(Target.FastLog, b.Bootstrap, () => b.CpuTime, machine.DiskDevice));
        }

        Console.Error.WriteLine("warm-up (not reported) ...");
        foreach (var target in targets)
        {
            foreach (var warm in new[] { new Row(100, 100_000, Acks.Leader, CompressionType.None), new Row(1024, 20_000, Acks.All, CompressionType.Lz4) })
            {
                string topic = $"warmup-{warm.Slug}-{runId}";
                var p = KafkaRunner.Produce(target.Bootstrap, topic, warm, new Payloads(warm.RecordBytes), target.BrokerCpu, target.DiskDevice);
                KafkaRunner.Consume(target.Bootstrap, topic, p.Records, target.BrokerCpu, wrap: target.Name == Target.Mock);
            }
        }

        report.Load.Add(("rows start", LoadAverage()));
        foreach (var row in rows)
        {
            var payloads = new Payloads(row.RecordBytes);
            for (int rep = 0; rep < options.Repeat; rep++)
            {
                // Alternate which target goes first so drift on the shared machine hits both alike.
                var order = rep % 2 == 0 ? targets : Enumerable.Reverse(targets).ToList();
                foreach (var target in order)
                {
                    string topic = $"bench-{row.Slug}-{target.Name.ToLowerInvariant()}-r{rep}-{runId}";
                    var run = new Run(row, target.Name, rep);
                    try
                    {
                        run.Produce = KafkaRunner.Produce(target.Bootstrap, topic, row, payloads, target.BrokerCpu, target.DiskDevice);
                        run.Consume = KafkaRunner.Consume(target.Bootstrap, topic, row.Count, target.BrokerCpu, wrap: target.Name == Target.Mock, debug: options.ConsumerDebug);
                    }
                    catch (Exception e) when (e is KafkaException or InvalidOperationException or TimeoutException)
                    {
                        failures++;
                        run.Error = $"{e.GetType().Name}: {e.Message}";
                        Console.Error.WriteLine($"  {row.Id} {target.Name} run {rep + 1} failed: {e}");
                        if (broker is not null && target.Name == Target.FastLog)
                        {
                            Console.Error.WriteLine(broker.Tail);
                        }
                    }

                    report.Runs.Add(run);
                    Console.Error.WriteLine($"  {row.Id,-22} {target.Name,-8} run {rep + 1}: {run.Summary()}");
                }
            }
        }

        report.Load.Add(("rows end", LoadAverage()));
        if (broker is not null)
        {
            report.BrokerResidentMB = broker.ResidentBytes / 1e6;
        }
    }
    finally
    {
        if (broker is not null)
        {
            await broker.DisposeAsync();
        }

        mock?.Dispose();
    }

    await MachineLimitsAsync("after");
}
finally
{
    if (ownDataDir)
    {
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

report.Load.Add(("end", LoadAverage()));
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

return failures == 0 ? 0 : 1;

async Task MachineLimitsAsync(string when)
{
    if (options.RunFio)
    {
        var (fio, note) = await MachineLimits.RunFioAsync(Path.Combine(dataDir, "fio"), options.FioBytes, options.FioSeconds, when);
        report.Fio.AddRange(fio);
        report.FioNote = note;
    }

    if (options.RunIperf)
    {
        var (iperf, note) = await MachineLimits.RunIperfAsync(options.IperfSeconds, when);
        if (iperf is not null)
        {
            report.Iperf.Add(iperf);
        }

        if (iperf is null)
        {
            report.Notes.Add(note);
        }

        report.IperfNote = note;
    }
}

static string LoadAverage()
{
    try
    {
        return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "unknown";
    }
}

/// <summary>Where the client connects, and how to read the server's CPU time and disk when it is a separate process.</summary>
internal sealed record Target(string Name, string Bootstrap, Func<TimeSpan>? BrokerCpu, string? DiskDevice)
{
    public const string Mock = "mock";
    public const string FastLog = "FastLog";
}
