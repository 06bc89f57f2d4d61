using System.Net;
using System.Net.Sockets;
using System.Text;
using FastLog.Client.Producer;
using FastLog.Client.Serialization;
using FastLog.Protocol;
using FastLog.Server.Broker;

namespace FastLog.Client.Tests.Producer;

/// <summary>
/// Failures a producer must report clearly and without harming other records: an oversized record, an unreachable
/// cluster, a full buffer, a topic that does not exist. Each bounded by a hang guard, never by a timing assert.
/// </summary>
public sealed class ProducerErrorTests
{
    [Fact]
    public async Task An_oversized_record_fails_with_message_too_large_and_the_others_are_delivered()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var producer = new KafkaProducer<Null, byte[]>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            MaxRequestSize = 10_000,
        });
        var small = new Message<Null, byte[]> { Value = new byte[100] };
        var big = new Message<Null, byte[]> { Value = new byte[20_000] };
        Task<DeliveryResult> first = producer.ProduceAsync("sizes", 0, small).AsTask();
        Task<DeliveryResult> oversized = producer.ProduceAsync("sizes", 0, big).AsTask();
        Task<DeliveryResult> last = producer.ProduceAsync("sizes", 0, small).AsTask();

        var error = await Assert.ThrowsAsync<KafkaException>(() => oversized.WaitAsync(ReadBack.HangGuard));
        Assert.Equal(ErrorCode.MessageTooLarge, error.Error);
        Assert.Contains("max.request.size", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await first.WaitAsync(ReadBack.HangGuard)).Offset);
        Assert.Equal(1, (await last.WaitAsync(ReadBack.HangGuard)).Offset);

        // The synchronous Produce refuses it at once, too.
        var thrown = Assert.Throws<KafkaException>(() => producer.Produce("sizes", 0, big));
        Assert.Equal(ErrorCode.MessageTooLarge, thrown.Error);
    }

    [Fact]
    public async Task A_batch_the_broker_refuses_as_too_large_fails_with_advice_and_later_records_go_on()
    {
        // The client allows 1 MiB; the broker only 2,000 bytes per batch.
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = new Dictionary<string, string> { ["message.max.bytes"] = "2000" } });
        await using var producer = new KafkaProducer<Null, byte[]>(new ProducerOptions { BootstrapServers = broker.BootstrapServers });
        var error = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync("broker-limit", 0, new Message<Null, byte[]> { Value = new byte[5000] }).AsTask().WaitAsync(ReadBack.HangGuard));
        Assert.Equal(ErrorCode.MessageTooLarge, error.Error);
        Assert.Contains("message.max.bytes", error.Message, StringComparison.Ordinal);

        DeliveryResult after = await producer.ProduceAsync("broker-limit", 0, new Message<Null, byte[]> { Value = new byte[100] }).AsTask().WaitAsync(ReadBack.HangGuard);
        Assert.Equal(0, after.Offset);
    }

    [Fact]
    public async Task An_unreachable_bootstrap_fails_with_a_network_error_after_max_block()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = $"127.0.0.1:{port}",
            MaxBlock = TimeSpan.FromSeconds(1),
        });
        var error = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "v" }).AsTask().WaitAsync(ReadBack.HangGuard));
        Assert.Equal(ErrorCode.NetworkException, error.Error);
        Assert.Contains("max.block.ms", error.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);

        var thrown = Assert.Throws<KafkaException>(() => producer.Produce("t", new Message<string, string> { Key = "k", Value = "v" }));
        Assert.Equal(ErrorCode.NetworkException, thrown.Error);
    }

    [Fact]
    public async Task A_missing_topic_without_auto_creation_fails_with_unknown_topic()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { Settings = new Dictionary<string, string> { ["auto.create.topics.enable"] = "false" } });
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            MaxBlock = TimeSpan.FromMilliseconds(500),
        });
        var error = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync("absent", new Message<string, string> { Value = "v" }).AsTask().WaitAsync(ReadBack.HangGuard));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
        Assert.Contains("absent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partition_the_topic_does_not_have_fails_clearly()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var producer = new KafkaProducer<string, string>(new ProducerOptions { BootstrapServers = broker.BootstrapServers });
        var error = await Assert.ThrowsAsync<KafkaException>(() => producer.ProduceAsync("one-partition", 5, new Message<string, string> { Value = "v" }).AsTask().WaitAsync(ReadBack.HangGuard));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
        Assert.Contains("partition 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_that_never_answers_fails_after_max_block_instead_of_hanging()
    {
        // A broker that accepts connections and answers nothing: batches never complete, so the buffer fills.
        await using var broker = new SilentBroker();
        await using var producer = new KafkaProducer<Null, byte[]>(new ProducerOptions
        {
            BootstrapServers = $"127.0.0.1:{broker.Port}",
            BufferMemory = 64 * 1024,
            MaxBlock = TimeSpan.FromMilliseconds(300),
            RequestTimeout = TimeSpan.FromSeconds(30),
        });

        // The silent broker never answers metadata either: this fails on max.block.ms with the network cause.
        var metadataError = Assert.Throws<KafkaException>(() => producer.Produce("t", 0, new Message<Null, byte[]> { Value = new byte[10] }));
        Assert.Contains("max.block.ms", metadataError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_buffer_applies_back_pressure_and_then_fails_after_max_block()
    {
        // The broker is up, but the topic's leader is unreachable: stop the broker after the metadata is known.
        var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var producer = new KafkaProducer<Null, byte[]>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            BufferMemory = 256 * 1024,
            MaxBlock = TimeSpan.FromMilliseconds(500),
            RequestTimeout = TimeSpan.FromSeconds(2),
            DeliveryTimeout = TimeSpan.FromSeconds(5),
            Linger = TimeSpan.Zero,
            BatchSize = 16 * 1024,
        });
        await producer.ProduceAsync("full", 0, new Message<Null, byte[]> { Value = new byte[10] }).AsTask().WaitAsync(ReadBack.HangGuard);
        await broker.DisposeAsync();

        var message = new Message<Null, byte[]> { Value = new byte[1000] };
        var undelivered = new List<Task<DeliveryResult>>();
        KafkaException? blocked = null;
        for (int i = 0; i < 10_000 && blocked is null; i++)
        {
            try
            {
                // Produce blocks while the buffer is full, up to max.block.ms, then throws.
                producer.Produce("full", 0, message);
            }
            catch (KafkaException e)
            {
                blocked = e;
            }
        }

        Assert.NotNull(blocked);
        Assert.Equal(ErrorCode.RequestTimedOut, blocked.Error);
        Assert.Contains("buffer.memory", blocked.Message, StringComparison.Ordinal);

        // ProduceAsync waits (asynchronously) as well, in a queue bounded by buffer.memory, then fails the same way.
        for (int i = 0; i < 10; i++)
        {
            undelivered.Add(producer.ProduceAsync("full", 0, message).AsTask());
        }

        var asyncError = await Assert.ThrowsAsync<KafkaException>(() => undelivered[0].WaitAsync(ReadBack.HangGuard));
        Assert.Contains("buffer.memory", asyncError.Message, StringComparison.Ordinal);
        for (int i = 1; i < undelivered.Count; i++)
        {
            await Assert.ThrowsAsync<KafkaException>(() => undelivered[i].WaitAsync(ReadBack.HangGuard));
        }
    }

    [Fact]
    public async Task Back_pressure_with_a_small_buffer_still_delivers_everything_in_order()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        await using var producer = new KafkaProducer<Null, string>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            BufferMemory = 128 * 1024,
            BatchSize = 16 * 1024,
        });
        var message = new Message<Null, string>();
        var offsets = new long[20_000];
        for (int i = 0; i < offsets.Length; i++)
        {
            int index = i;
            message.Value = $"{i:D6}" + new string('p', 100);
            producer.Produce("pressure", 0, message, r => offsets[index] = r.IsSuccess ? r.Result.Offset : -2);
        }

        await producer.FlushAsync().WaitAsync(ReadBack.HangGuard);
        Assert.Equal(Enumerable.Range(0, offsets.Length).Select(i => (long)i), offsets);
        var read = ReadBack.All(broker.BootstrapServers, "pressure", 1)[0];
        Assert.Equal(offsets.Length, read.Count);
        Assert.Equal("019999", Encoding.UTF8.GetString(read[^1].Message.Value!)[..6]);
    }

    [Fact]
    public async Task Cancelling_before_acceptance_cancels_and_a_disposed_producer_refuses_records()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        var producer = new KafkaProducer<Null, string>(new ProducerOptions { BootstrapServers = broker.BootstrapServers });
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => producer.ProduceAsync("c", new Message<Null, string> { Value = "v" }, cancelled.Token).AsTask());

        DeliveryResult delivered = await producer.ProduceAsync("c", new Message<Null, string> { Value = "v" }).AsTask().WaitAsync(ReadBack.HangGuard);
        Assert.Equal(0, delivered.Offset);
        await producer.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => producer.Produce("c", new Message<Null, string> { Value = "v" }));
    }

    /// <summary>Accepts connections and never answers.</summary>
    private sealed class SilentBroker : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _accepted = [];
        private readonly Task _accept;

        public SilentBroker()
        {
            _listener.Start();
            _accept = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            try
            {
                await _accept;
            }
            catch (Exception)
            {
                // Stopped.
            }

            lock (_accepted)
            {
                foreach (Socket socket in _accepted)
                {
                    socket.Dispose();
                }
            }
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                Socket socket = await _listener.AcceptSocketAsync();
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
            }
        }
    }
}
