using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using FastLog.Bench.Brokers;
using FastLog.Bench.Common;

namespace FastLog.Bench.Comparison;

/// <summary>
/// <c>--preset broker</c>: the same Confluent.Kafka producer and consumer against the FastLog broker
/// (a child process, server GC) and against librdkafka's in-memory mock cluster, each row repeated
/// with alternating order, bracketed by fio and iperf3. Kept as it was first written so
/// perf-results/broker.md stays comparable from run to run.
/// </summary>
internal static class ComparisonBench
{
    public static async Task<int> RunAsync(ComparisonOptions options, string project)
    {
        bool ownDataDir = options.DataDir is null;
        string dataDir = Path.GetFullPath(options.DataDir ?? Path.Combine(Path.GetTempPath(), $"fastlog-bench-broker-{Environment.ProcessId}"));
        Directory.CreateDirectory(dataDir);
        var machine = MachineInfo.Collect(dataDir);
        var run = await RunInfo.CollectAsync(project, options.RawArgs);
        var report = new ComparisonReport(options, machine, run);
        var total = Stopwatch.StartNew();
        var rows = Row.Matrix(options.SmallCount, options.LargeCount)
            .Where(r => options.RowFilter is null || r.Id.Contains(options.RowFilter, StringComparison.OrdinalIgnoreCase))
            .ToList();
        string runId = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        int failures = 0;

        try
        {
            await MeasureLimitsAsync(report.Limits, options, dataDir, "before");

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
                    string dll = options.BrokerDll ?? RepositoryPaths.BrokerDll();
                    string logDir = Path.Combine(dataDir, "broker");
                    Directory.CreateDirectory(logDir);
                    broker = await BrokerProcess.StartAsync(dll, logDir, TimeSpan.FromSeconds(60));
                    report.BrokerDll = Path.GetFileName(dll);
                    report.BrokerRuntime = BrokerRuntime.Describe(dll);
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

                run.MarkLoad("rows start");
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
                            var result = new Run(row, target.Name, rep);
                            try
                            {
                                result.Produce = KafkaRunner.Produce(target.Bootstrap, topic, row, payloads, target.BrokerCpu, target.DiskDevice);
                                result.Consume = KafkaRunner.Consume(target.Bootstrap, topic, row.Count, target.BrokerCpu, wrap: target.Name == Target.Mock, debug: options.ConsumerDebug);
                            }
                            catch (Exception e) when (e is KafkaException or InvalidOperationException or TimeoutException)
                            {
                                failures++;
                                result.Error = $"{e.GetType().Name}: {e.Message}";
                                Console.Error.WriteLine($"  {row.Id} {target.Name} run {rep + 1} failed: {e}");
                                if (broker is not null && target.Name == Target.FastLog)
                                {
                                    Console.Error.WriteLine(broker.Tail);
                                }
                            }

                            report.Runs.Add(result);
                            Console.Error.WriteLine($"  {row.Id,-22} {target.Name,-8} run {rep + 1}: {result.Summary()}");
                        }
                    }
                }

                run.MarkLoad("rows end");
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

            await MeasureLimitsAsync(report.Limits, options, dataDir, "after");
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

        return failures == 0 ? 0 : 1;
    }

    private static async Task MeasureLimitsAsync(LimitsSection limits, ComparisonOptions options, string dataDir, string when) =>
        await limits.MeasureAsync(
            Path.Combine(dataDir, "fio"), options.FioBytes, options.FioSeconds, options.IperfSeconds, when, options.RunFio, options.RunIperf,
            MachineLimits.EndFsync, MachineLimits.Fdatasync1M);
}
