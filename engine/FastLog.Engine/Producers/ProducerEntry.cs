namespace FastLog.Engine.Producers;

/// <summary>
/// One producer's state in one partition: its epoch and its last <see cref="MaxBatches"/> batches,
/// oldest first. Five because a producer has at most five requests in flight per connection when
/// idempotent (max.in.flight.requests.per.connection ≤ 5), so any retry is one of those five.
/// </summary>
public sealed class ProducerEntry
{
    public const int MaxBatches = 5;

    private readonly ProducerBatch[] _batches = new ProducerBatch[MaxBatches];
    private int _start;

    public ProducerEntry(long producerId, short epoch)
    {
        ProducerId = producerId;
        Epoch = epoch;
    }

    public long ProducerId { get; }

    public short Epoch { get; private set; }

    public int BatchCount { get; private set; }

    public long LastTimestampMs { get; private set; }

    /// <summary>The batch at <paramref name="index"/>, 0 = oldest kept.</summary>
    public ProducerBatch BatchAt(int index) => _batches[(_start + index) % MaxBatches];

    public ProducerBatch? LastBatch => BatchCount == 0 ? null : BatchAt(BatchCount - 1);

    /// <summary>Records an appended batch, starting over when the epoch moved on.</summary>
    public void Add(short epoch, ProducerBatch batch)
    {
        if (epoch != Epoch)
        {
            Epoch = epoch;
            BatchCount = 0;
            _start = 0;
        }

        if (BatchCount == MaxBatches)
        {
            _start = (_start + 1) % MaxBatches;
            BatchCount--;
        }

        _batches[(_start + BatchCount) % MaxBatches] = batch;
        BatchCount++;
        LastTimestampMs = Math.Max(LastTimestampMs, batch.TimestampMs);
    }
}
