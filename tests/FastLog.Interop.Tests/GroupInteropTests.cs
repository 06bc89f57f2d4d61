using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using FastLog.Interop.Tests.Support;
using FastLog.Server.Broker;

namespace FastLog.Interop.Tests;

/// <summary>
/// Consumer groups through third-party clients: kcat's balanced consumer, kafka-python's group
/// consumer, a member that dies without leaving, and static membership with Confluent.Kafka.
/// </summary>
public sealed class GroupInteropTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Scripts", "kafka_python_client.py");

    private static Task<FastLogBroker> StartBrokerAsync() => FastLogBroker.StartAsync(new FastLogBrokerOptions
    {
        Settings = new Dictionary<string, string>
        {
            ["group.initial.rebalance.delay.ms"] = "0",
            ["offsets.topic.num.partitions"] = "1",
            ["group.min.session.timeout.ms"] = "1000",
        },
    });

    [Fact]
    public async Task Two_kcat_balanced_consumers_read_everything_once_and_a_restarted_member_resumes_from_committed_offsets()
    {
        string kcat = ExternalTools.Kcat();
        await using var broker = await StartBrokerAsync();
        const string Topic = "kcat-group";
        const string Group = "kcat-g";
        await CreateTopicAsync(broker.BootstrapServers, Topic, 4);
        var members = new List<KcatMember>();
        try
        {
            var a = KcatMember.Start(kcat, broker.BootstrapServers, Group, Topic);
            members.Add(a);
            await WaitUntilAsync(() => a.Assigned.Count == 4, "the first kcat member has all four partitions", members);
            var b = KcatMember.Start(kcat, broker.BootstrapServers, Group, Topic);
            members.Add(b);
            await WaitUntilAsync(() => a.Assigned.Count == 2 && b.Assigned.Count == 2, "each kcat member has two partitions", members);
            Assert.Empty(a.Assigned.Intersect(b.Assigned));

            await ProduceAsync(broker.BootstrapServers, Topic, 4, 0, 200);
            await WaitUntilAsync(() => a.Records.Count + b.Records.Count >= 200, "200 records are consumed", members);
            await WaitForCommittedAsync(broker.BootstrapServers, Group, 200);
            AssertExactlyOnce(members, 200);
            Assert.All(a.Records, r => Assert.Contains(r.Partition, a.Assigned));
            Assert.All(b.Records, r => Assert.Contains(r.Partition, b.Assigned));

            // A clean stop (SIGTERM) commits and leaves: the survivor takes all four partitions at the committed offsets.
            await a.StopAsync();
            await WaitUntilAsync(() => b.Assigned.Count == 4, "the remaining kcat member has all four partitions", members);
            await ProduceAsync(broker.BootstrapServers, Topic, 4, 200, 100);
            await WaitUntilAsync(() => a.Records.Count + b.Records.Count >= 300, "300 records are consumed", members);
            await WaitForCommittedAsync(broker.BootstrapServers, Group, 300);

            // The member comes back: it resumes where the group committed, nothing is read twice.
            var again = KcatMember.Start(kcat, broker.BootstrapServers, Group, Topic);
            members.Add(again);
            await WaitUntilAsync(() => again.Assigned.Count == 2 && b.Assigned.Count == 2, "the restarted member and the survivor have two partitions each", members);
            await ProduceAsync(broker.BootstrapServers, Topic, 4, 300, 100);
            await WaitUntilAsync(() => members.Sum(m => m.Records.Count) >= 400, "400 records are consumed", members);
            await WaitForCommittedAsync(broker.BootstrapServers, Group, 400);
            AssertExactlyOnce(members, 400);
            Assert.All(again.Records, r => Assert.True(r.Offset >= 75, $"the restarted member re-read {r.Partition}@{r.Offset}"));
            Assert.NotEmpty(again.Records);

            await again.StopAsync();
            await b.StopAsync();
            Assert.Equal(0, again.ExitCode);
            Assert.Equal(0, b.ExitCode);
        }
        finally
        {
            foreach (var member in members)
            {
                member.Dispose();
            }
        }
    }

    [Fact]
    public async Task Kafka_python_group_consumer_reads_everything_once_and_a_second_run_reads_nothing()
    {
        string python = await ExternalTools.PythonAsync();
        await using var broker = await StartBrokerAsync();
        const string Topic = "python-group";
        await CreateTopicAsync(broker.BootstrapServers, Topic, 3);
        await ProduceAsync(broker.BootstrapServers, Topic, 3, 0, 90);

        var first = await GroupConsumeAsync(python, broker.BootstrapServers, Topic, "python-g");
        Assert.Equal(90, first.Count);
        Assert.Equal(90, first.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 90).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal), first.Select(r => r.Value).Order(StringComparer.Ordinal));
        await WaitForCommittedAsync(broker.BootstrapServers, "python-g", 90);

        var second = await GroupConsumeAsync(python, broker.BootstrapServers, Topic, "python-g");
        Assert.Empty(second);

        // New records after the commit: the next run reads exactly those.
        await ProduceAsync(broker.BootstrapServers, Topic, 3, 90, 30);
        var third = await GroupConsumeAsync(python, broker.BootstrapServers, Topic, "python-g");
        Assert.Equal(Enumerable.Range(90, 30).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal), third.Select(r => r.Value).Order(StringComparer.Ordinal));
        await WaitForCommittedAsync(broker.BootstrapServers, "python-g", 120);
    }

    [Fact]
    public async Task A_member_killed_without_leaving_loses_its_partitions_to_the_survivor_after_the_session_timeout()
    {
        string kcat = ExternalTools.Kcat();
        await using var broker = await StartBrokerAsync();
        const string Topic = "dead-member";
        const string Group = "dead-g";
        await CreateTopicAsync(broker.BootstrapServers, Topic, 4);
        using var survivor = new GroupMember(broker.BootstrapServers, Group, Topic, instanceId: null, sessionTimeoutMs: 6000);
        var dead = KcatMember.Start(kcat, broker.BootstrapServers, Group, Topic, "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=300");
        try
        {
            await WaitUntilAsync(() => survivor.Assigned.Count == 2 && dead.Assigned.Count == 2, "each member has two partitions", [dead], survivor);
            var deadPartitions = dead.Assigned;

            // SIGKILL: no commit, no LeaveGroup; only the session timeout tells the coordinator.
            dead.Kill();
            await ProduceAsync(broker.BootstrapServers, Topic, 4, 0, 80);
            await WaitUntilAsync(() => survivor.Assigned.Count == 4, "the survivor has all four partitions", [dead], survivor);
            await WaitUntilAsync(() => survivor.Records.Count >= 80, "the survivor consumed all 80 records", [dead], survivor);
            Assert.Equal(80, survivor.Records.Distinct().Count());
            Assert.Equal(deadPartitions.Order(), survivor.Records.Select(r => r.Partition).Distinct().Intersect(deadPartitions).Order());
        }
        finally
        {
            dead.Dispose();
            survivor.Stop(close: true);
        }
    }

    [Fact]
    public async Task A_static_member_that_rejoins_within_the_session_timeout_gets_its_partitions_back_without_a_rebalance()
    {
        await using var broker = await StartBrokerAsync();
        const string Topic = "static";
        const string Group = "static-g";
        await CreateTopicAsync(broker.BootstrapServers, Topic, 4);
        // The other member joins first and leads the group: the coordinator answers a rejoining static
        // follower from the current generation, but a rejoining static leader whose client cannot skip
        // the assignment (JoinGroup < v9, as librdkafka sends) gets a rebalance.
        using var other = new GroupMember(broker.BootstrapServers, Group, Topic, "instance-b", sessionTimeoutMs: 20000);
        await WaitUntilAsync(() => other.Assigned.Count == 4, "the first static member has all four partitions", [], other);
        var first = new GroupMember(broker.BootstrapServers, Group, Topic, "instance-a", sessionTimeoutMs: 20000);
        GroupMember? rejoined = null;
        try
        {
            await WaitUntilAsync(() => first.Assigned.Count == 2 && other.Assigned.Count == 2, "each static member has two partitions", [], first, other);
            var firstPartitions = first.Assigned;
            var otherPartitions = other.Assigned;
            await ProduceAsync(broker.BootstrapServers, Topic, 4, 0, 40);
            await WaitUntilAsync(() => first.Records.Count + other.Records.Count >= 40, "40 records are consumed", [], first, other);
            int otherRevocations = other.Revocations;

            // A static member's Close sends no LeaveGroup; the same instance id comes back well within the session timeout.
            first.Stop(close: true);
            first.Dispose();
            rejoined = new GroupMember(broker.BootstrapServers, Group, Topic, "instance-a", sessionTimeoutMs: 20000);
            await WaitUntilAsync(() => rejoined.Assigned.Count == 2, "the rejoined static member has its partitions", [], rejoined, other);
            Assert.Equal(firstPartitions.Order(), rejoined.Assigned.Order());

            await ProduceAsync(broker.BootstrapServers, Topic, 4, 40, 40);
            await WaitUntilAsync(() => rejoined.Records.Count + other.Records.Count >= 60, "the next 40 records are consumed", [], rejoined, other);
            await WaitForCommittedAsync(broker.BootstrapServers, Group, 80);
            Assert.Equal(20, rejoined.Records.Count);
            Assert.Equal(otherRevocations, other.Revocations);
            Assert.Equal(otherPartitions.Order(), other.Assigned.Order());
            Assert.All(rejoined.Records, r => Assert.Contains(r.Partition, firstPartitions));
        }
        finally
        {
            first.Dispose();
            rejoined?.Stop(close: true);
            rejoined?.Dispose();
            other.Stop(close: true);
        }
    }

    private static async Task CreateTopicAsync(string bootstrap, string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    /// <summary>Values "m{start}" .. round-robin over the partitions, all acknowledged.</summary>
    private static async Task ProduceAsync(string bootstrap, string topic, int partitions, int start, int count)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, Acks = Acks.All }).Build();
        for (int i = start; i < start + count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<Null, string> { Value = "m" + i.ToString(CultureInfo.InvariantCulture) });
        }

        Assert.Equal(0, producer.Flush(Deadline));
        await Task.CompletedTask;
    }

    private static async Task WaitForCommittedAsync(string bootstrap, string group, long total)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var until = DateTime.UtcNow + Deadline;
        long committed = -1;
        while (DateTime.UtcNow < until)
        {
            var offsets = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, null)]);
            committed = offsets.Single().Partitions.Where(p => p.Offset.Value >= 0).Sum(p => p.Offset.Value);
            if (committed == total)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"group {group} committed {committed} offsets in total, expected {total}");
    }

    private static void AssertExactlyOnce(IEnumerable<KcatMember> members, int count)
    {
        var all = members.SelectMany(m => m.Records).ToList();
        Assert.Equal(count, all.Count);
        Assert.Equal(count, all.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, count).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal), all.Select(r => r.Value).Order(StringComparer.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, IEnumerable<KcatMember> kcats, params GroupMember[] consumers)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow >= until)
            {
                var text = new StringBuilder("timed out waiting until " + what);
                foreach (var k in kcats)
                {
                    text.Append("\n--- kcat ---\n").Append(k.Log);
                }

                foreach (var c in consumers)
                {
                    text.Append($"\n--- consumer: assigned [{string.Join(',', c.Assigned)}], {c.Records.Count} records ---\n").Append(c.Errors);
                }

                Assert.Fail(text.ToString());
            }

            await Task.Delay(50);
        }
    }

    private static async Task<List<(int Partition, long Offset, string Value)>> GroupConsumeAsync(string python, string bootstrap, string topic, string group)
    {
        var result = await ChildProcess.RunAsync(python, [Script, "group-consume", bootstrap, topic, group], timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.Describe("kafka-python group-consume"));
        Assert.Contains("committed", result.StandardError, StringComparison.Ordinal);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            string value = Encoding.UTF8.GetString(Convert.FromHexString(root.GetProperty("value").GetString()!));
            return (root.GetProperty("partition").GetInt32(), root.GetProperty("offset").GetInt64(), value);
        }).ToList();
    }

    /// <summary>A <c>kcat -G</c> balanced consumer as a child process; its stdout gives records, its stderr assignments.</summary>
    private sealed class KcatMember : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<(int Partition, long Offset, string Value)> _records = new();
        private readonly ConcurrentQueue<string> _log = new();
        private volatile int[] _assigned = [];

        private KcatMember(Process process) => _process = process;

        public IReadOnlyList<(int Partition, long Offset, string Value)> Records => [.. _records];

        public IReadOnlyList<int> Assigned => _assigned;

        public string Log => string.Join('\n', _log);

        public int ExitCode => _process.ExitCode;

        public static KcatMember Start(string kcat, string bootstrap, string group, string topic, params string[] extra)
        {
            var start = new ProcessStartInfo(kcat)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            string[] arguments =
            [
                "-b", bootstrap, "-G", group, "-u", "-f", "%p|%o|%s\n",
                "-X", "auto.offset.reset=earliest", "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100",
                "-X", "topic.metadata.refresh.interval.ms=1000",
                .. extra, topic,
            ];
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = start };
            var member = new KcatMember(process);
            process.OutputDataReceived += (_, e) => member.OnOutput(e.Data);
            process.ErrorDataReceived += (_, e) => member.OnError(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return member;
        }

        /// <summary>SIGTERM: kcat closes its consumer (final commit, LeaveGroup) and exits.</summary>
        public async Task StopAsync()
        {
            var kill = await ChildProcess.RunAsync("/bin/sh", ["-c", $"kill -TERM {_process.Id}"], timeout: TimeSpan.FromSeconds(10));
            Assert.True(kill.ExitCode == 0, kill.Describe("kill -TERM"));
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("kcat did not exit within 30 s of SIGTERM:\n" + Log);
            }

            _assigned = [];
        }

        /// <summary>SIGKILL by handle: the member vanishes without committing or leaving.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit();
                }
            }
            catch (InvalidOperationException)
            {
                // Never started.
            }

            _process.Dispose();
        }

        private void OnOutput(string? line)
        {
            if (string.IsNullOrEmpty(line))
            {
                return;
            }

            string[] fields = line.Split('|', 3);
            if (fields.Length == 3 && int.TryParse(fields[0], CultureInfo.InvariantCulture, out int partition) && long.TryParse(fields[1], CultureInfo.InvariantCulture, out long offset))
            {
                _records.Enqueue((partition, offset, fields[2]));
            }
            else
            {
                _log.Enqueue("stdout: " + line);
            }
        }

        private void OnError(string? line)
        {
            if (line is null)
            {
                return;
            }

            _log.Enqueue(line);
            // "% Group g rebalanced (memberid ...): assigned: t [0], t [2]" or "...: revoked: ..."
            int assigned = line.IndexOf("assigned: ", StringComparison.Ordinal);
            if (line.Contains("rebalanced", StringComparison.Ordinal) && assigned >= 0)
            {
                _assigned = [.. line[(assigned + "assigned: ".Length)..]
                    .Split(", ", StringSplitOptions.RemoveEmptyEntries)
                    .Select(p => int.Parse(p[(p.LastIndexOf('[') + 1)..p.LastIndexOf(']')], CultureInfo.InvariantCulture))];
            }
            else if (line.Contains("rebalanced", StringComparison.Ordinal) && line.Contains("revoked: ", StringComparison.Ordinal))
            {
                _assigned = [];
            }
        }
    }

    /// <summary>A Confluent.Kafka group consumer on its own thread, recording records, assignments and revocations.</summary>
    private sealed class GroupMember : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private readonly ConcurrentQueue<(int Partition, long Offset)> _records = new();
        private readonly ConcurrentQueue<string> _errors = new();
        private volatile int[] _assigned = [];
        private int _revocations;
        private bool _close = true;

        public GroupMember(string bootstrap, string group, string topic, string? instanceId, int sessionTimeoutMs)
        {
            var config = new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = group,
                GroupInstanceId = instanceId,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                EnableAutoCommit = true,
                AutoCommitIntervalMs = 100,
                SessionTimeoutMs = sessionTimeoutMs,
                HeartbeatIntervalMs = 300,
                TopicMetadataRefreshIntervalMs = 1000,
            };
            _thread = new Thread(() => Run(config, topic)) { IsBackground = true };
            _thread.Start();
        }

        public IReadOnlyList<(int Partition, long Offset)> Records => [.. _records];

        public IReadOnlyList<int> Assigned => _assigned;

        public int Revocations => Volatile.Read(ref _revocations);

        public string Errors => string.Join('\n', _errors);

        public void Stop(bool close)
        {
            _close = close;
            _stop.Cancel();
            Assert.True(_thread.Join(Deadline), "the consumer thread did not stop");
        }

        public void Dispose()
        {
            if (_thread.IsAlive)
            {
                Stop(close: true);
            }

            _stop.Dispose();
        }

        private void Run(ConsumerConfig config, string topic)
        {
            using var consumer = new ConsumerBuilder<Ignore, string>(config)
                .SetErrorHandler((_, e) => _errors.Enqueue(e.ToString()))
                .SetPartitionsAssignedHandler((_, partitions) => _assigned = [.. partitions.Select(p => p.Partition.Value).Order()])
                .SetPartitionsRevokedHandler((_, _) =>
                {
                    Interlocked.Increment(ref _revocations);
                    _assigned = [];
                })
                .SetPartitionsLostHandler((_, _) =>
                {
                    Interlocked.Increment(ref _revocations);
                    _assigned = [];
                })
                .Build();
            consumer.Subscribe(topic);
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message: not null } result)
                    {
                        _records.Enqueue((result.Partition.Value, result.Offset.Value));
                    }
                }
                catch (ConsumeException e)
                {
                    _errors.Enqueue(e.Error.ToString());
                }
            }

            if (_close)
            {
                consumer.Close();
            }
        }
    }
}
