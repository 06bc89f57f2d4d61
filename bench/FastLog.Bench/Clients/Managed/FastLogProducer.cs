using System.Collections.Concurrent;
using FastLog.Client.Producer;
using FastLog.Client.Serialization;

namespace FastLog.Bench.Clients.Managed;

/// <summary>
/// One FastLog.Client producer. <c>Produce</c> serializes the value into its batch before it returns
/// (and blocks while <c>buffer.memory</c> is full, the harness's back-pressure); delivery reports
/// come back in send order within a partition, so, as in the Confluent adapter, send timestamps
/// wait in one FIFO per partition and a single handler pairs them — nothing allocated per record.
/// </summary>
internal sealed class FastLogProducer : IBenchProducer
{
    private readonly KafkaProducer<Null, byte[]> _producer;
    private readonly string _topic;
    private readonly ConcurrentQueue<long>[] _sent;
    private readonly IAckSink _acks;
    private readonly Action<DeliveryReport> _onDelivery;
    private readonly Message<Null, byte[]> _message = new();

    public FastLogProducer(ProducerSettings settings, IAckSink acks)
    {
        _acks = acks;
        _topic = settings.Topic;
        _sent = Enumerable.Range(0, settings.Partitions).Select(_ => new ConcurrentQueue<long>()).ToArray();
        _onDelivery = OnDelivery;
        _producer = new KafkaProducer<Null, byte[]>(FastLogClient.ProducerOptions(settings));
    }

    public void Send(int partition, byte[] value, long sendTicks)
    {
        _sent[partition].Enqueue(sendTicks);
        _message.Value = value;
        _producer.Produce(_topic, partition, _message, _onDelivery);
    }

    public bool Flush(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            _producer.FlushAsync(deadline.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _producer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void OnDelivery(DeliveryReport report)
    {
        int partition = report.Result.Partition;
        long sendTicks = partition >= 0 && partition < _sent.Length && _sent[partition].TryDequeue(out long ticks) ? ticks : 0;
        _acks.OnAck(sendTicks, report.Error?.Message);
    }
}
