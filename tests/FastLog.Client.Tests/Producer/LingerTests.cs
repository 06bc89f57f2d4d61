using System.Text;
using FastLog.Client.Producer;
using FastLog.Client.Serialization;

namespace FastLog.Client.Tests.Producer;

public sealed class LingerTests
{
    [Fact]
    public async Task When_one_partition_is_due_every_partition_of_its_broker_goes_in_the_same_request()
    {
        await using var broker = new FakeIdempotentBroker("linger", 2);
        await using var producer = new KafkaProducer<Null, string>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,

            // Long enough that partition 1's record, produced 100 ms after partition 0's, is still lingering
            // when partition 0's batch comes due, even on a slow machine.
            Linger = TimeSpan.FromSeconds(2),
        });

        var first = producer.ProduceAsync("linger", 0, new Message<Null, string> { Value = "a" }).AsTask();
        await Task.Delay(100);
        Assert.False(first.IsCompleted);
        var second = producer.ProduceAsync("linger", 1, new Message<Null, string> { Value = "b" }).AsTask();

        await Task.WhenAll(first, second).WaitAsync(ReadBack.HangGuard);
        Assert.Equal(1, broker.ProduceRequests);
        Assert.Equal(["a"], broker.Values(0).Select(v => Encoding.UTF8.GetString(v)));
        Assert.Equal(["b"], broker.Values(1).Select(v => Encoding.UTF8.GetString(v)));
    }

    [Fact]
    public async Task A_batch_backing_off_before_a_retry_does_not_cut_short_the_linger_of_the_other_partitions()
    {
        await using var broker = new FakeIdempotentBroker("backoff", 2)
        {
            // The first request (partition 0's batch) is refused, so that batch waits out the retry backoff.
            Faults = (request, _) => request == 1 ? ProduceFault.NotLeader : ProduceFault.None,
        };
        await using var producer = new KafkaProducer<Null, string>(new ProducerOptions
        {
            BootstrapServers = broker.BootstrapServers,
            Linger = TimeSpan.FromMilliseconds(300),
            RetryBackoff = TimeSpan.FromSeconds(3),
        });

        var first = producer.ProduceAsync("backoff", 0, new Message<Null, string> { Value = "a" }).AsTask();
        DateTime deadline = DateTime.UtcNow + ReadBack.HangGuard;
        while (broker.ProduceRequests == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.Equal(1, broker.ProduceRequests);
        var second = producer.ProduceAsync("backoff", 1, new Message<Null, string> { Value = "b" }).AsTask();

        // Partition 1's linger has 300 ms to run; a due-but-waiting batch of partition 0 must not send it early.
        await Task.Delay(150);
        Assert.Equal(1, broker.ProduceRequests);

        await Task.WhenAll(first, second).WaitAsync(ReadBack.HangGuard);
        Assert.Equal(["a"], broker.Values(0).Select(v => Encoding.UTF8.GetString(v)));
        Assert.Equal(["b"], broker.Values(1).Select(v => Encoding.UTF8.GetString(v)));
    }
}
