using Confluent.Kafka;

namespace FastLog.Cli.Tests.Support;

/// <summary>Writes test records with Confluent.Kafka (the CLI's own produce command is not under test here).</summary>
internal static class Producer
{
    public static void Produce(string bootstrap, string topic, int partition, int count, Func<int, DateTimeOffset>? timestamp = null)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 0 }).Build();
        for (int i = 0; i < count; i++)
        {
            var message = new Message<string, string> { Key = $"k{i}", Value = $"v{i}" };
            if (timestamp is not null)
            {
                message.Timestamp = new Timestamp(timestamp(i));
            }

            producer.Produce(new TopicPartition(topic, partition), message);
        }

        Assert.Equal(0, producer.Flush(Cli.HangGuard));
    }
}
