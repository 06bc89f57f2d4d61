using FastLog.Client.Consumer;
using FastLog.Client.Serialization;

namespace FastLog.Bench.Clients.Managed;

/// <summary>
/// One FastLog.Client consumer with every partition assigned from offset 0, read through the
/// zero-copy <c>ReadAllAsync</c> enumeration. The harness polls with a timeout from one thread: a
/// <c>MoveNextAsync</c> that does not complete at once is kept and waited on (up to the timeout),
/// then the records already buffered are handed over without waiting.
/// </summary>
internal sealed class FastLogConsumer : IBenchConsumer
{
    private const int MaxPerPoll = 10_000;

    private readonly KafkaConsumer<Ignore, byte[]> _consumer;
    private readonly IAsyncEnumerator<ConsumedRecord> _records;
    private Task<bool>? _pending;

    public FastLogConsumer(ConsumerSettings settings)
    {
        _consumer = new KafkaConsumer<Ignore, byte[]>(FastLogClient.ConsumerOptions(settings.Bootstrap));
        _consumer.Assign(Enumerable.Range(0, settings.Partitions).Select(p => new TopicPartitionOffset(new TopicPartition(settings.Topic, p), 0)));
        _records = _consumer.ReadAllAsync().GetAsyncEnumerator();
    }

    public int Poll(TimeSpan timeout, IRecordSink sink)
    {
        int count = 0;
        if (_pending is not null)
        {
            if (!_pending.Wait(timeout))
            {
                return 0;
            }

            bool more = _pending.Result;
            _pending = null;
            if (!more)
            {
                return 0;
            }

            sink.OnRecord(_records.Current.ValueSpan);
            count++;
        }

        while (count < MaxPerPoll)
        {
            bool more;
            var next = _records.MoveNextAsync();
            if (next.IsCompletedSuccessfully)
            {
                more = next.Result;
            }
            else
            {
                // Not buffered yet: keep the read; wait for it only when nothing was handed over in this poll.
                _pending = next.AsTask();
                if (count > 0 || !_pending.Wait(timeout))
                {
                    return count;
                }

                more = _pending.Result;
                _pending = null;
            }

            if (!more)
            {
                break;
            }

            sink.OnRecord(_records.Current.ValueSpan);
            count++;
        }

        return count;
    }

    public void Dispose()
    {
        // Closing the consumer ends the enumeration, which completes a read still pending.
        _consumer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _pending?.Wait(TimeSpan.FromSeconds(5));
        _records.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
