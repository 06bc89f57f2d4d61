using Confluent.Kafka;

namespace FastLog.Bench.Clients.Confluent;

/// <summary>One Confluent.Kafka consumer with every partition of the topic assigned from offset 0.</summary>
/// <remarks>
/// Values are handed to the sink from inside the value deserializer, while librdkafka's buffer is still
/// valid, and never copied into a <c>byte[]</c>: at 100 k records/s of 1 KiB that copy was 100 MB/s of
/// garbage, a dozen collections a second that paused the harness's producer threads too (the records'
/// latencies then include the harness's own pauses).
/// </remarks>
internal sealed class ConfluentConsumer : IBenchConsumer
{
    /// <summary>Records handed over per <see cref="Poll"/> at most, so the caller checks its stop conditions often.</summary>
    private const int MaxPerPoll = 10_000;

    private readonly SinkDeserializer _values = new();
    private readonly IConsumer<Ignore, Null> _consumer;

    public ConfluentConsumer(ConsumerSettings settings)
    {
        _consumer = new ConsumerBuilder<Ignore, Null>(ConfluentClient.ConsumerConfig(settings.Bootstrap))
            .SetValueDeserializer(_values)
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"    consumer error: {e}"))
            .Build();
        _consumer.Assign(Enumerable.Range(0, settings.Partitions)
            .Select(p => new TopicPartitionOffset(settings.Topic, new Partition(p), Offset.Beginning)));
    }

    public int Poll(TimeSpan timeout, IRecordSink sink)
    {
        _values.Sink = sink;
        int before = _values.Delivered;
        try
        {
            var result = _consumer.Consume(timeout);
            while (result is not null && _values.Delivered - before < MaxPerPoll)
            {
                result = _consumer.Consume(TimeSpan.Zero);
            }
        }
        finally
        {
            _values.Sink = null;
        }

        return _values.Delivered - before;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }

    /// <summary>Passes each value to the current sink and returns nothing to keep (Consume runs it on the polling thread).</summary>
    private sealed class SinkDeserializer : IDeserializer<Null>
    {
        public IRecordSink? Sink { get; set; }

        public int Delivered { get; private set; }

        public Null Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
        {
            if (Sink is { } sink)
            {
                sink.OnRecord(isNull ? [] : data);
                Delivered++;
            }

            return null!;
        }
    }
}
