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
}
