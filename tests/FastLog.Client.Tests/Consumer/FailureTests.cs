using System.Net;
using System.Net.Sockets;
using FastLog.Client.Consumer;
using FastLog.Client.Serialization;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using static FastLog.Client.Tests.Consumer.ConsumerTestKit;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// Nothing waits forever: an unreachable cluster or a coordinator that never becomes available turns into a
/// KafkaException from the consume call within request.timeout.ms (plus retries), closing is bounded, and a
/// read in progress ends when the consumer is closed.
/// </summary>
public sealed class FailureTests
{
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static ConsumerOptions ShortTimeouts(string bootstrap, string? groupId) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = groupId,
        RequestTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(1),
        FetchMaxWait = TimeSpan.FromMilliseconds(100),
        SessionTimeout = TimeSpan.FromSeconds(6),
        HeartbeatInterval = TimeSpan.FromMilliseconds(500),
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Unreachable_bootstrap_servers_fail_the_consume_call_with_a_network_error(bool subscribe)
    {
        var consumer = new KafkaConsumer<Ignore, Ignore>(ShortTimeouts($"127.0.0.1:{ClosedPort()}", "g"));
        if (subscribe)
        {
            consumer.Subscribe("t");
        }
        else
        {
            consumer.Assign([new TopicPartition("t", 0)]);
        }

        using var guard = new CancellationTokenSource(HangGuard);
        KafkaException error = await Assert.ThrowsAsync<KafkaException>(async () => await consumer.ConsumeAsync(guard.Token));
        Assert.True(error.IsRetriable);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.False(guard.IsCancellationRequested);
        await consumer.DisposeAsync().AsTask().WaitAsync(HangGuard);
    }

    [Fact]
    public async Task A_coordinator_that_never_becomes_available_fails_the_consume_call()
    {
        await using var cluster = new ScriptedCluster((api, _) => api == ApiKey.FindCoordinator
            ? new FindCoordinatorResponse { ErrorCode = (short)ErrorCode.CoordinatorNotAvailable, NodeId = -1, Host = string.Empty, Port = -1 }
            : null);
        var consumer = new KafkaConsumer<Ignore, Ignore>(ShortTimeouts(cluster.BootstrapServers, "lonely"));
        consumer.Subscribe("t");

        using var guard = new CancellationTokenSource(HangGuard);
        KafkaException error = await Assert.ThrowsAsync<KafkaException>(async () => await consumer.ConsumeAsync(guard.Token));
        Assert.Equal(ErrorCode.CoordinatorNotAvailable, error.Error);
        Assert.Contains("lonely", error.Message, StringComparison.Ordinal);
        await consumer.DisposeAsync().AsTask().WaitAsync(HangGuard);
    }

    [Fact]
    public async Task Closing_ends_a_read_in_progress()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await CreateTopicAsync(broker.BootstrapServers, "idle");
        var consumer = new KafkaConsumer<Ignore, Ignore>(Options(broker));
        consumer.Assign([new TopicPartitionOffset(new TopicPartition("idle", 0), Offset.End)]);
        ValueTask<ConsumeResult<Ignore, Ignore>> waiting = consumer.ConsumeAsync(CancellationToken.None);
        await Task.Delay(200);

        await consumer.DisposeAsync().AsTask().WaitAsync(HangGuard);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting.AsTask().WaitAsync(HangGuard));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await consumer.ConsumeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Cancellation_ends_a_read_and_the_consumer_stays_usable()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await CreateTopicAsync(broker.BootstrapServers, "cancel");
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(broker));
        consumer.Assign([new TopicPartition("cancel", 0)]);
        using var guard = new CancellationTokenSource(HangGuard);
        Assert.Equal(0, (await consumer.ConsumeAsync(guard.Token)).Offset); // the warm-up record
        using (var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await consumer.ConsumeAsync(soon.Token));
        }

        await ProduceAsync(broker.BootstrapServers, "cancel", 1, start: 1);
        Assert.Equal(1, (await consumer.ConsumeAsync(guard.Token)).Offset);
    }

    [Fact]
    public async Task Two_reads_at_once_are_refused()
    {
        await using FastLogBroker broker = await StartBrokerAsync();
        await CreateTopicAsync(broker.BootstrapServers, "two-readers");
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(broker));
        consumer.Assign([new TopicPartitionOffset(new TopicPartition("two-readers", 0), Offset.End)]);
        using var stop = new CancellationTokenSource();
        ValueTask<ConsumeResult<Ignore, Ignore>> first = consumer.ConsumeAsync(stop.Token);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await consumer.ConsumeAsync(stop.Token));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await first);
    }
}
