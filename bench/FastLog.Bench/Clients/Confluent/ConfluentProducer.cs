using System.Collections.Concurrent;
using Confluent.Kafka;

namespace FastLog.Bench.Clients.Confluent;

/// <summary>
/// One Confluent.Kafka producer. Delivery reports arrive on librdkafka's poll thread in send order
/// within a partition, so the send timestamps wait in one FIFO per partition and the single
/// delivery handler pairs each report with the oldest timestamp of its partition — no closure or
/// state object per record. (A retried batch can reach its report after a later batch of the same
/// partition; then a few latencies are swapped between neighbours, never lost.)
/// </summary>
internal sealed class ConfluentProducer : IBenchProducer
{
    private readonly IProducer<Null, byte[]> _producer;
    private readonly TopicPartition[] _partitions;
    private readonly ConcurrentQueue<long>[] _sent;
    private readonly IAckSink _acks;
    private readonly Action<DeliveryReport<Null, byte[]>> _onDelivery;
    private readonly Message<Null, byte[]> _message = new();

    public ConfluentProducer(ProducerSettings settings, IAckSink acks)
    {
        _acks = acks;
        _partitions = Enumerable.Range(0, settings.Partitions).Select(p => new TopicPartition(settings.Topic, new Partition(p))).ToArray();
        _sent = Enumerable.Range(0, settings.Partitions).Select(_ => new ConcurrentQueue<long>()).ToArray();
        _onDelivery = OnDelivery;
        _producer = new ProducerBuilder<Null, byte[]>(ConfluentClient.ProducerConfig(settings))
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"    producer error: {e}"))
            .SetLogHandler((_, m) =>
            {
                if (m.Level <= SyslogLevel.Warning)
                {
                    Console.Error.WriteLine($"    producer log: {m.Message}");
                }
            })
            .Build();
    }

    public void Send(int partition, byte[] value, long sendTicks)
    {
        _sent[partition].Enqueue(sendTicks);

        // Produce copies the value into librdkafka before it returns, so one Message serves every call.
        _message.Value = value;
        while (true)
        {
            try
            {
                _producer.Produce(_partitions[partition], _message, _onDelivery);
                return;
            }
            catch (ProduceException<Null, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                Thread.Sleep(1);
            }
        }
    }

    public bool Flush(TimeSpan timeout) => _producer.Flush(timeout) == 0;

    public void Dispose() => _producer.Dispose();

    private void OnDelivery(DeliveryReport<Null, byte[]> report)
    {
        int partition = report.Partition.Value;
        long sendTicks = partition >= 0 && partition < _sent.Length && _sent[partition].TryDequeue(out long ticks) ? ticks : 0;
        _acks.OnAck(sendTicks, report.Error.IsError ? report.Error.ToString() : null);
    }
}
