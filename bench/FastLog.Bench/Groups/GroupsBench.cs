using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using FastLog.Bench.Brokers;
using FastLog.Bench.Common;
using FastLog.Bench.Comparison;

namespace FastLog.Bench.Groups;

/// <summary>
/// <c>--groups</c>: consumer-group costs against the FastLog broker (a child process): how long the
/// group takes to settle as 10 Confluent.Kafka consumers join and then leave one by one, and how many
/// synchronous offset commits per second one consumer gets (each commit is fsynced by the broker
/// before it answers).
/// </summary>
internal static class GroupsBench
{
    private const int Consumers = 10;
    private const int Partitions = 10;
    private const int HeartbeatIntervalMs = 500;
    private const int SessionTimeoutMs = 10_000;
    private static readonly TimeSpan CommitPhase = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    public static async Task<int> RunAsync(ComparisonOptions options, string project)
    {
        bool ownDataDir = options.DataDir is null;
        string dataDir = Path.GetFullPath(options.DataDir ?? Path.Combine(Path.GetTempPath(), $"fastlog-bench-groups-{Environment.ProcessId}"));
        Directory.CreateDirectory(dataDir);
        var machine = MachineInfo.Collect(dataDir);
        var run = await RunInfo.CollectAsync(project, options.RawArgs);
        var total = Stopwatch.StartNew();
        var joins = new List<double>();
        var leaves = new List<double>();
        (int Commits, double Seconds, DiskDelta Disk) commits;
        try
        {
            string logDir = Path.Combine(dataDir, "broker");
            Directory.CreateDirectory(logDir);
            await using var broker = await BrokerProcess.StartAsync(options.BrokerDll ?? RepositoryPaths.BrokerDll(), logDir, TimeSpan.FromSeconds(60), "group.initial.rebalance.delay.ms=0");
            Console.Error.WriteLine($"FastLog broker (pid {broker.Pid}) at {broker.Bootstrap}");
            using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.Bootstrap }).Build())
            {
                await admin.CreateTopicsAsync([
                    new TopicSpecification { Name = "groups-bench", NumPartitions = Partitions, ReplicationFactor = 1 },
                    new TopicSpecification { Name = "commits-bench", NumPartitions = 1, ReplicationFactor = 1 },
                ]);
            }

            // Warm-up (not reported): one join and leave.
            using (var warm = new Member(broker.Bootstrap, "warm-up", "groups-bench"))
            {
                await WaitAsync(() => warm.Assigned == Partitions, "warm-up member assigned");
            }

            var members = new List<Member>();
            try
            {
                for (int k = 1; k <= Consumers; k++)
                {
                    var clock = Stopwatch.StartNew();
                    members.Add(new Member(broker.Bootstrap, "bench-group", "groups-bench"));
                    await WaitAsync(() => Settled(members), $"{k} members settled");
                    joins.Add(clock.Elapsed.TotalMilliseconds);
                    Console.Error.WriteLine($"  join {k}: {clock.Elapsed.TotalMilliseconds:F0} ms");
                }

                while (members.Count > 1)
                {
                    var clock = Stopwatch.StartNew();
                    members[0].Dispose();
                    members.RemoveAt(0);
                    await WaitAsync(() => Settled(members), $"{members.Count} members settled");
                    leaves.Add(clock.Elapsed.TotalMilliseconds);
                    Console.Error.WriteLine($"  leave to {members.Count}: {clock.Elapsed.TotalMilliseconds:F0} ms");
                }
            }
            finally
            {
                foreach (var m in members)
                {
                    m.Dispose();
                }
            }

            commits = Commits(broker.Bootstrap, machine.DiskDevice);
            Console.Error.WriteLine($"  commits: {commits.Commits} in {commits.Seconds:F1} s");
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
        string markdown = Markdown(machine, run, total.Elapsed.TotalSeconds, joins, leaves, commits);
        Console.WriteLine(markdown);
        if (options.OutFile is not null)
        {
            await File.WriteAllTextAsync(options.OutFile, markdown);
            Console.Error.WriteLine($"report written to {options.OutFile}");
        }

        return 0;
    }

    /// <summary>Every member holds at least one partition and together they hold each partition once.</summary>
    private static bool Settled(List<Member> members) =>
        members.All(m => m.Assigned > 0) && members.Sum(m => m.Assigned) == Partitions;

    private static (int Commits, double Seconds, DiskDelta Disk) Commits(string bootstrap, string? device)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(Config(bootstrap, "commit-group")).Build();
        consumer.Subscribe("commits-bench");
        var until = DateTime.UtcNow + StepTimeout;
        while (consumer.Assignment.Count == 0)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("the commit consumer got no assignment");
            }

            consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        var partition = new TopicPartition("commits-bench", 0);
        for (int i = 0; i < 100; i++)
        {
            consumer.Commit([new TopicPartitionOffset(partition, i)]);
        }

        var disk = DiskDelta.Read(device);
        var clock = Stopwatch.StartNew();
        int n = 0;
        while (clock.Elapsed < CommitPhase)
        {
            consumer.Commit([new TopicPartitionOffset(partition, 1000 + n)]);
            n++;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        var diskDelta = DiskDelta.Read(device) - disk;
        consumer.Close();
        return (n, seconds, diskDelta);
    }

    private static ConsumerConfig Config(string bootstrap, string group) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        SessionTimeoutMs = SessionTimeoutMs,
        HeartbeatIntervalMs = HeartbeatIntervalMs,
    };

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + StepTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("timed out waiting until " + what);
            }

            await Task.Delay(5);
        }
    }

    private static string Markdown(MachineInfo machine, RunInfo run, double totalSeconds, List<double> joins, List<double> leaves, (int Commits, double Seconds, DiskDelta Disk) commits)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("# Consumer groups: rebalance time and offset commits");
        text.AppendLine();
        run.AppendMachineSection(text, machine, $"client: Confluent.Kafka {Library.VersionString}; broker: `FastLog.Broker.dll` as a child process, `group.initial.rebalance.delay.ms=0`, otherwise defaults", totalSeconds);
        text.AppendLine("## Rebalance time");
        text.AppendLine();
        text.AppendLine(c, $"{Consumers} Confluent.Kafka consumers (eager `range` assignor, `session.timeout.ms={SessionTimeoutMs}`, `heartbeat.interval.ms={HeartbeatIntervalMs}`, each polling on its own thread) subscribe one by one to a {Partitions}-partition topic, then close (LeaveGroup) one by one, oldest first. A step is timed from creating (or closing) the consumer until every member holds at least one partition and together they hold each of the {Partitions} once, as seen from the members' assignment callbacks, polled every 5 ms. Existing members learn of a rebalance from their next heartbeat, so a step includes up to one heartbeat interval of waiting.");
        text.AppendLine();
        text.AppendLine("| step | ms |");
        text.AppendLine("| --- | ---: |");
        for (int i = 0; i < joins.Count; i++)
        {
            text.AppendLine(c, $"| join: {i + 1} member(s) | {joins[i]:F0} |");
        }

        for (int i = 0; i < leaves.Count; i++)
        {
            text.AppendLine(c, $"| leave: {joins.Count - 1 - i} member(s) left | {leaves[i]:F0} |");
        }

        text.AppendLine();
        text.AppendLine(c, $"Joins: median {Median(joins):F0} ms, max {joins.Max():F0} ms. Leaves: median {Median(leaves):F0} ms, max {leaves.Max():F0} ms.");
        text.AppendLine();
        text.AppendLine("## Offset commits");
        text.AppendLine();
        text.AppendLine(c, $"One group member (assigned a 1-partition topic) calls the synchronous `Commit([offset])` in a loop for {CommitPhase.TotalSeconds:F0} s, a new offset each time, after 100 unreported commits. The broker appends each commit to `__consumer_offsets` and answers after fsync. Flushes: block-device flush requests completed during the loop (`/proc/diskstats`, whole device).");
        text.AppendLine();
        text.AppendLine("| commits | seconds | commits/s | ms per commit | device flushes | flushes per commit |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        text.AppendLine(c, $"| {commits.Commits} | {commits.Seconds:F1} | {commits.Commits / commits.Seconds:F0} | {commits.Seconds * 1000 / commits.Commits:F2} | {commits.Disk.FlushesCompleted} | {(double)commits.Disk.FlushesCompleted / commits.Commits:F2} |");
        return text.ToString();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>A group consumer polling on its own thread; its assignment size as the callbacks report it.</summary>
    private sealed class Member : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private volatile int _assigned;

        public Member(string bootstrap, string group, string topic)
        {
            var config = Config(bootstrap, group);
            _thread = new Thread(() => Run(config, topic)) { IsBackground = true };
            _thread.Start();
        }

        public int Assigned => _assigned;

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }

        private void Run(ConsumerConfig config, string topic)
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(config)
                .SetPartitionsAssignedHandler((_, p) => _assigned = p.Count)
                .SetPartitionsRevokedHandler((_, _) => _assigned = 0)
                .SetPartitionsLostHandler((_, _) => _assigned = 0)
                .SetErrorHandler((_, _) => { })
                .Build();
            consumer.Subscribe(topic);
            while (!_stop.IsCancellationRequested)
            {
                consumer.Consume(TimeSpan.FromMilliseconds(20));
            }

            consumer.Close();
        }
    }
}
