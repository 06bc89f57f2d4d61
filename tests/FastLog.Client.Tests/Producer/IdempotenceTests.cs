using System.Net;
using System.Net.Sockets;
using System.Text;
using FastLog.Client.Producer;
using FastLog.Client.Serialization;
using FastLog.Server.Broker;
using ConsumedRecord = Confluent.Kafka.ConsumeResult<byte[]?, byte[]?>;

namespace FastLog.Client.Tests.Producer;

/// <summary>
/// Idempotent producing: retries resend the same batch with the same sequence, so the broker drops what it already
/// has. Checked against a broker restart (the real FastLog broker, same data directory and port) and against
/// leadership errors from a fake broker that deduplicates like Kafka: every record ends up exactly once, in order.
/// </summary>
public sealed class IdempotenceTests
{
    [Fact]
    public async Task A_broker_restart_during_an_idempotent_produce_loop_ends_with_every_record_exactly_once_in_order()
    {
        const string Topic = "restart";
        const int Partitions = 2;
        const int Count = 6000;
        int port = FreePort();
        string data = Path.Combine(Path.GetTempPath(), "fastlog-producer-restart-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["listeners"] = $"PLAINTEXT://127.0.0.1:{port}",
            ["num.partitions"] = $"{Partitions}",
        };
        FastLogBroker? broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = settings, DataDirectory = data });
        try
        {
            await using (var producer = new KafkaProducer<string, string>(new ProducerOptions
            {
                BootstrapServers = $"127.0.0.1:{port}",
                Linger = TimeSpan.FromMilliseconds(1),
                BatchSize = 2048,
                RetryBackoff = TimeSpan.FromMilliseconds(20),
                RequestTimeout = TimeSpan.FromSeconds(10),
            }))
            {
                Assert.True(producer.Options.IdempotenceEnabled);
                var message = new Message<string, string>();
                var deliveries = new Task<DeliveryResult>[Count];
                for (int i = 0; i < Count; i++)
                {
                    message.Value = $"{i:D6}";
                    deliveries[i] = producer.ProduceAsync(Topic, i % Partitions, message).AsTask();
                    if (i == Count / 3)
                    {
                        // Some are acknowledged, some in flight, more keep coming while the broker is down.
                        await deliveries[i / 2].WaitAsync(ReadBack.HangGuard);
                        await broker!.DisposeAsync();
                        broker = null;
                    }
                    else if (i == Count / 2)
                    {
                        broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = settings, DataDirectory = data });
                    }
                    else if (i % 500 == 0)
                    {
                        await Task.Yield();
                    }
                }

                DeliveryResult[] results = await Task.WhenAll(deliveries).WaitAsync(ReadBack.HangGuard);
                for (int p = 0; p < Partitions; p++)
                {
                    long[] offsets = [.. results.Where(r => r.Partition == p).Select(r => r.Offset)];
                    Assert.All(offsets, o => Assert.True(o >= 0 || o == -1));
                }
            }

            Dictionary<int, List<ConsumedRecord>> read = ReadBack.All($"127.0.0.1:{port}", Topic, Partitions);
            for (int p = 0; p < Partitions; p++)
            {
                int partition = p;
                string[] expected = [.. Enumerable.Range(0, Count).Where(i => i % Partitions == partition).Select(i => $"{i:D6}")];
                string[] actual = [.. read[p].Select(r => Encoding.UTF8.GetString(r.Message.Value!))];
                Assert.Equal(expected.Length, actual.Length);
                Assert.Equal(expected, actual);
            }
        }
        finally
        {
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Retries_after_not_leader_resend_the_same_sequences_so_nothing_is_duplicated_or_reordered()
    {
        const int Partitions = 2;
        const int Count = 4000;
        await using var broker = new FakeIdempotentBroker("leaders", Partitions)
        {
            // Requests 3-5 are written but answered NOT_LEADER (acknowledgements lost), 8-9 refused outright, and from
            // then on every seventh request loses its acknowledgement for partition 1.
            Faults = (request, partition) => request switch
            {
                >= 3 and <= 5 => ProduceFault.WriteThenNotLeader,
                8 or 9 => ProduceFault.NotLeader,
                _ when request % 7 == 0 && partition == 1 => ProduceFault.WriteThenNotLeader,
                _ => ProduceFault.None,
            },
        };
        var log = new ListLoggerFactory();
        await using (var producer = new KafkaProducer<Null, string>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Linger = TimeSpan.FromMilliseconds(1),
            BatchSize = 1024,
            RetryBackoff = TimeSpan.FromMilliseconds(5),
            LoggerFactory = log,
        }))
        {
            var message = new Message<Null, string>();
            var deliveries = new Task<DeliveryResult>[Count];
            for (int i = 0; i < Count; i++)
            {
                message.Value = $"{i:D6}";
                deliveries[i] = producer.ProduceAsync("leaders", i % Partitions, message).AsTask();
                if (i % 200 == 0)
                {
                    await Task.Delay(1);
                }
            }

            try
            {
                await Task.WhenAll(deliveries).WaitAsync(ReadBack.HangGuard);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"{deliveries.Count(d => !d.IsCompleted)} deliveries hang; log:\n{log.Tail()}");
            }
        }

        Assert.True(broker.DuplicatesAnswered > 0, "no retry reached the broker as a duplicate; the faults did not bite");
        for (int p = 0; p < Partitions; p++)
        {
            int partition = p;
            string[] expected = [.. Enumerable.Range(0, Count).Where(i => i % Partitions == partition).Select(i => $"{i:D6}")];
            Assert.Equal(expected, broker.Values(p).Select(v => Encoding.UTF8.GetString(v)));
        }
    }

    [Fact]
    public async Task Unknown_producer_id_bumps_the_epoch_and_resends_from_sequence_zero_without_loss_or_duplicates()
    {
        await using var broker = new FakeIdempotentBroker("epochs", 1)
        {
            // The sixth request finds the broker without the producer's state.
            Faults = (request, _) => request == 6 ? ProduceFault.UnknownProducerId : ProduceFault.None,
        };
        await using (var producer = new KafkaProducer<Null, string>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Linger = TimeSpan.FromMilliseconds(1),
            BatchSize = 512,
            RetryBackoff = TimeSpan.FromMilliseconds(5),
        }))
        {
            var message = new Message<Null, string>();
            var deliveries = new List<Task<DeliveryResult>>();
            for (int i = 0; i < 2000; i++)
            {
                message.Value = $"{i:D6}";
                deliveries.Add(producer.ProduceAsync("epochs", 0, message).AsTask());
                if (i % 100 == 0)
                {
                    await Task.Delay(1);
                }
            }

            await Task.WhenAll(deliveries).WaitAsync(ReadBack.HangGuard);
        }

        Assert.Equal([0, 1], broker.EpochsGiven);
        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"{i:D6}"), broker.Values(0).Select(v => Encoding.UTF8.GetString(v)));
    }

    [Fact]
    public async Task Without_idempotence_batches_carry_no_producer_id_and_retries_still_go_out_in_order()
    {
        await using var broker = new FakeIdempotentBroker("plain", 1)
        {
            Faults = (request, _) => request is 2 or 3 ? ProduceFault.NotLeader : ProduceFault.None,
        };
        await using (var producer = new KafkaProducer<Null, string>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Acks = FastLog.Client.Producer.Acks.Leader,

            // Without idempotence only one request in flight keeps order across a retry, as in the Java client.
            MaxInFlightRequestsPerConnection = 1,
            Linger = TimeSpan.FromMilliseconds(1),
            BatchSize = 512,
            RetryBackoff = TimeSpan.FromMilliseconds(5),
        }))
        {
            Assert.False(producer.Options.IdempotenceEnabled);
            var message = new Message<Null, string>();
            var deliveries = new List<Task<DeliveryResult>>();
            for (int i = 0; i < 1000; i++)
            {
                message.Value = $"{i:D6}";
                deliveries.Add(producer.ProduceAsync("plain", 0, message).AsTask());
            }

            await Task.WhenAll(deliveries).WaitAsync(ReadBack.HangGuard);
        }

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"{i:D6}"), broker.Values(0).Select(v => Encoding.UTF8.GetString(v)));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
