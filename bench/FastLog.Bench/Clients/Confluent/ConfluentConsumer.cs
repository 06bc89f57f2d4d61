using Confluent.Kafka;

namespace FastLog.Bench.Clients.Confluent;

/// <summary>One Confluent.Kafka consumer with every partition of the topic assigned from offset 0.</summary>
internal sealed class ConfluentConsumer : IBenchConsumer
{
    /// <summary>Records handed over per <see cref="Poll"/> at most, so the caller checks its stop conditions often.</summary>
    private const int MaxPerPoll = 10_000;

    private readonly IConsumer<Ignore, byte[]> _consumer;

    public ConfluentConsumer(ConsumerSettings settings)
    {
        _consumer = new ConsumerBuilder<Ignore, byte[]>(ConfluentClient.ConsumerConfig(settings.Bootstrap))
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"    consumer error: {e}"))
            .Build();
        _consumer.Assign(Enumerable.Range(0, settings.Partitions)
            .Select(p => new TopicPartitionOffset(settings.Topic, new Partition(p), Offset.Beginning)));
    }

    public int Poll(TimeSpan timeout, IRecordSink sink)
    {
        var result = _consumer.Consume(timeout);
        int count = 0;
        while (result is not null)
        {
            if (!result.IsPartitionEOF)
            {
                sink.OnRecord(result.Message.Value);
                count++;
            }

            if (count >= MaxPerPoll)
            {
                break;
            }

            result = _consumer.Consume(TimeSpan.Zero);
        }

        return count;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
