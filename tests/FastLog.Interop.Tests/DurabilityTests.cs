using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Xunit.Abstractions;
using LogManager = FastLog.Engine.Log.LogManager;
using FastLog.Interop.Tests.Support;
using FastLog.Server.Broker;

namespace FastLog.Interop.Tests;

/// <summary>Data written through Confluent.Kafka survives a clean restart, SIGTERM, and SIGKILL of the broker.</summary>
public sealed class DurabilityTests : IDisposable
{
    private const int Partitions = 3;
    private readonly TempDirectory _data = new();
    private readonly ITestOutputHelper _output;

    public DurabilityTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _data.Dispose();

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Everything_is_read_back_after_a_restart_on_the_same_data(bool commitJournal, bool directWrites)
    {
        const string Topic = "restart";
        var settings = new Dictionary<string, string>
        {
            ["num.partitions"] = "3",
            ["log.commit.journal.enable"] = commitJournal ? "true" : "false",
            ["log.direct.write.buffer.bytes"] = directWrites ? "65536" : "0",
        };
        var before = ConfluentKafkaTests.Messages(Partitions, 200, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 100_000);
        await using (var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = settings, DataDirectory = _data.Path }))
        {
            // acks=1 is not fsynced per request: the clean stop has to flush it.
            using var producer = Kafka.Producer(Kafka.ProducerConfig(broker.BootstrapServers, Acks.Leader, CompressionType.Lz4));
            Kafka.ProduceAll(producer, Topic, before);
        }

        Assert.True(File.Exists(Path.Combine(_data.Path, LogManager.CleanShutdownFileName)), "no clean-shutdown marker after StopAsync");
        Assert.Equal(commitJournal, Directory.Exists(Path.Combine(_data.Path, LogManager.JournalDirectoryName)));
        var after = ConfluentKafkaTests.Messages(Partitions, 20, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 50_000);
        await using (var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = settings, DataDirectory = _data.Path }))
        {
            ConfluentKafkaTests.AssertReadBack(before, Kafka.ReadAll(broker.BootstrapServers, Topic, Partitions));

            // Appends go on from where the old log ended.
            using var producer = Kafka.Producer(Kafka.ProducerConfig(broker.BootstrapServers));
            var reports = Kafka.ProduceAll(producer, Topic, after);
            Assert.All(reports, r => Assert.InRange(r.Offset.Value, 200, 219));
            ConfluentKafkaTests.AssertReadBack([.. before, .. after], Kafka.ReadAll(broker.BootstrapServers, Topic, Partitions));
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Every_acknowledged_message_survives_sigkill_of_the_standalone_broker(bool commitJournal, bool directWrites)
    {
        const string Topic = "crash";
        const int Rounds = 4;
        var random = new Random(20261126);
        var acknowledged = new Dictionary<(int Partition, long Offset), string>();
        string[] overrides =
        [
            "num.partitions=3",
            $"log.commit.journal.enable={(commitJournal ? "true" : "false")}",
            $"log.direct.write.buffer.bytes={(directWrites ? 65536 : 0)}",
        ];
        ChildBroker? broker = await ChildBroker.StartAsync(_data.Path, overrides);
        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                int killDelayMs = random.Next(0, 600);
                var acked = await ProduceUntilKilledAsync(broker, Topic, round, killDelayMs);
                _output.WriteLine($"round {round}: killed {killDelayMs} ms after the 100th acknowledgement; {acked.Count} acknowledged");
                Assert.False(File.Exists(Path.Combine(_data.Path, LogManager.CleanShutdownFileName)), "a clean-shutdown marker after SIGKILL");
                foreach (var (key, value) in acked)
                {
                    Assert.True(acknowledged.TryAdd(key, value), $"offset {key.Offset} of partition {key.Partition} acknowledged twice");
                }

                await broker.DisposeAsync();
                broker = null;
                broker = await ChildBroker.StartAsync(_data.Path, overrides);
                VerifyAcknowledged(broker.BootstrapServers, Topic, acknowledged);
            }
        }
        finally
        {
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }
        }

        Assert.True(acknowledged.Count >= Rounds * 100, $"only {acknowledged.Count} messages were acknowledged over {Rounds} rounds");
    }

    [Fact]
    public async Task Sigterm_stops_the_standalone_broker_cleanly_with_every_message_kept()
    {
        const string Topic = "graceful";
        var messages = ConfluentKafkaTests.Messages(Partitions, 100, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 100_000);
        await using (var broker = await ChildBroker.StartAsync(_data.Path, "num.partitions=3"))
        {
            // acks=1: the answer does not wait for fsync, so only a clean stop makes these durable.
            using (var producer = Kafka.Producer(Kafka.ProducerConfig(broker.BootstrapServers, Acks.Leader, CompressionType.Snappy)))
            {
                Kafka.ProduceAll(producer, Topic, messages);
            }

            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            int exitCode = await broker.TerminateAsync(TimeSpan.FromSeconds(60));
            _output.WriteLine($"exited with {exitCode} {stopwatch.ElapsedMilliseconds} ms after SIGTERM");
            Assert.True(exitCode == 0, $"exit code {exitCode} after SIGTERM:\n{broker.Output}");
            Assert.Contains("stopped cleanly", broker.Output, StringComparison.Ordinal);
        }

        string marker = Path.Combine(_data.Path, LogManager.CleanShutdownFileName);
        Assert.True(File.Exists(marker), "no clean-shutdown marker after SIGTERM");

        await using (var broker = await ChildBroker.StartAsync(_data.Path, "num.partitions=3"))
        {
            // The new start took the clean shutdown into account (and removed the marker, so a crash from here on is detected).
            Assert.False(File.Exists(marker), "the clean-shutdown marker is still there after the next start");
            ConfluentKafkaTests.AssertReadBack(messages, Kafka.ReadAll(broker.BootstrapServers, Topic, Partitions));
            Assert.Equal(0, await broker.TerminateAsync(TimeSpan.FromSeconds(60)));
        }
    }

    [Fact]
    public async Task Idempotent_producer_rides_through_broker_crashes_without_loss_or_duplicates()
    {
        const string Topic = "idempotent-crash";
        const int Total = 30_000;
        const int Kills = 2;
        ChildBroker broker = await ChildBroker.StartAsync(_data.Path, "num.partitions=3");
        var config = Kafka.ProducerConfig(broker.BootstrapServers, Acks.All, CompressionType.Lz4);
        config.EnableIdempotence = true;
        config.LingerMs = 2;
        config.MessageTimeoutMs = 120_000;
        config.ReconnectBackoffMaxMs = 200;
        var errors = new ConcurrentQueue<string>();
        long acked = 0;
        long produced = 0;
        try
        {
            using var producer = Kafka.Producer(config);
            void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
            {
                if (report.Error.Code == ErrorCode.NoError)
                {
                    Interlocked.Increment(ref acked);
                }
                else
                {
                    errors.Enqueue($"{report.Error.Code}: {report.Error.Reason}");
                }
            }

            var loop = Task.Run(async () =>
            {
                for (int seq = 0; seq < Total; seq++)
                {
                    while (seq - Interlocked.Read(ref acked) - errors.Count > 500)
                    {
                        await Task.Delay(1);
                    }

                    var message = new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(seq.ToString(CultureInfo.InvariantCulture)) };
                    producer.Produce(new TopicPartition(Topic, seq % Partitions), message, OnDelivery);
                    Interlocked.Increment(ref produced);
                }
            });

            // Kill the broker mid-stream and start it again on the same port and data while the producer keeps going.
            for (int kill = 1; kill <= Kills; kill++)
            {
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                while (Interlocked.Read(ref acked) < kill * Total / (Kills + 1))
                {
                    Assert.True(DateTime.UtcNow < deadline && errors.IsEmpty, $"stuck at {Interlocked.Read(ref acked)} acknowledged; errors: {errors.FirstOrDefault()}");
                    await Task.Delay(1);
                }

                await broker.KillAsync();
                _output.WriteLine($"killed with {Interlocked.Read(ref produced) - Interlocked.Read(ref acked)} of {Interlocked.Read(ref produced)} messages unacknowledged");
                int port = broker.Port;
                await broker.DisposeAsync();
                broker = await ChildBroker.StartOnPortAsync(port, _data.Path, "num.partitions=3");
            }

            await loop;
            int left = producer.Flush(TimeSpan.FromSeconds(120));
            Assert.True(left == 0, $"{left} messages without a delivery report");
            Assert.True(errors.IsEmpty, $"{errors.Count} delivery errors, first: {errors.FirstOrDefault()}");
            Assert.Equal(Total, Interlocked.Read(ref acked));

            // Exactly once and in order per partition: the retries after each crash were deduplicated.
            var read = Kafka.ReadAll(broker.BootstrapServers, Topic, Partitions);
            for (int p = 0; p < Partitions; p++)
            {
                var expected = Enumerable.Range(0, Total).Where(s => s % Partitions == p).Select(s => s.ToString(CultureInfo.InvariantCulture)).ToList();
                var actual = read[p].Select(r => Encoding.UTF8.GetString(r.Message.Value!)).ToList();
                Assert.True(expected.SequenceEqual(actual), $"partition {p}: {actual.Count} records for {expected.Count} messages; {Difference(expected, actual)}");
            }
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    private static string Difference(List<string> expected, List<string> actual)
    {
        int i = 0;
        while (i < expected.Count && i < actual.Count && expected[i] == actual[i])
        {
            i++;
        }

        return $"first difference at offset {i}: expected {(i < expected.Count ? expected[i] : "<end>")}, found {(i < actual.Count ? actual[i] : "<end>")}";
    }

    /// <summary>
    /// Produces with acks=all from a background loop, SIGKILLs the broker <paramref name="killDelayMs"/> after
    /// at least 100 acknowledgements, and returns what was acknowledged (partition, offset → value).
    /// </summary>
    private static async Task<Dictionary<(int Partition, long Offset), string>> ProduceUntilKilledAsync(ChildBroker broker, string topic, int round, int killDelayMs)
    {
        var acked = new ConcurrentDictionary<(int Partition, long Offset), string>();
        var config = Kafka.ProducerConfig(broker.BootstrapServers, Acks.All, round % 2 == 0 ? CompressionType.None : CompressionType.Zstd);
        config.LingerMs = 2;
        config.MessageTimeoutMs = 3_000;
        config.ReconnectBackoffMaxMs = 200;
        using var producer = Kafka.Producer(config);
        using var stop = new CancellationTokenSource();
        long produced = 0;
        long reported = 0;
        var enoughAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
        {
            if (report.Error.Code == ErrorCode.NoError)
            {
                Assert.True(acked.TryAdd((report.Partition.Value, report.Offset.Value), Encoding.UTF8.GetString(report.Message.Value!)));
                if (acked.Count >= 100)
                {
                    enoughAcked.TrySetResult();
                }
            }

            Interlocked.Increment(ref reported);
        }

        var loop = Task.Run(async () =>
        {
            for (long seq = 0; !stop.IsCancellationRequested; seq++)
            {
                while (produced - Interlocked.Read(ref reported) > 2_000 && !stop.IsCancellationRequested)
                {
                    await Task.Delay(1);
                }

                var message = new Message<byte[]?, byte[]?>
                {
                    Key = Encoding.UTF8.GetBytes(seq.ToString(CultureInfo.InvariantCulture)),
                    Value = Encoding.UTF8.GetBytes($"round {round} message {seq}"),
                };
                producer.Produce(new TopicPartition(topic, (int)(seq % Partitions)), message, OnDelivery);
                produced++;
            }
        });

        var first = await Task.WhenAny(enoughAcked.Task, loop, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(enoughAcked.Task.IsCompleted, $"fewer than 100 acknowledgements within 60 s (loop faulted: {loop.Exception})\n{broker.Output}");
        await Task.Delay(killDelayMs);
        await broker.KillAsync();
        await stop.CancelAsync();
        await loop;

        // Every message still in flight ends in a delivery report (error after message.timeout.ms).
        int left = producer.Flush(TimeSpan.FromSeconds(30));
        Assert.True(left == 0, $"{left} messages without a delivery report 30 s after the kill");
        return new Dictionary<(int Partition, long Offset), string>(acked);
    }

    private static void VerifyAcknowledged(string bootstrap, string topic, Dictionary<(int Partition, long Offset), string> acknowledged)
    {
        var read = Kafka.ReadAll(bootstrap, topic, Partitions);
        foreach (var (partition, records) in read)
        {
            // Offsets stay contiguous from 0: a record at index i has offset i.
            Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.Offset.Value));
            Assert.All(records, r => Assert.Matches("^round [0-9]+ message [0-9]+$", Encoding.UTF8.GetString(r.Message.Value!)));
        }

        foreach (var ((partition, offset), value) in acknowledged)
        {
            var records = read[partition];
            Assert.True(offset < records.Count, $"acknowledged offset {offset} of partition {partition} is missing (partition ends at {records.Count})");
            Assert.Equal(value, Encoding.UTF8.GetString(records[(int)offset].Message.Value!));
        }
    }
}
