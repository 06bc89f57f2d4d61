namespace FastLog.Client.Producer;

/// <summary>
/// Recycled <see cref="ProducerBatch"/> objects (with their slot arrays and delivery sources). Taken once per batch,
/// not per record, so a short lock is cheap here; the cap bounds what an idle producer keeps.
/// </summary>
internal sealed class BatchPool
{
    /// <summary>Enough for every partition of a busy producer to have a batch open, queued and in flight.</summary>
    private const int MaxPooled = 1024;

    private readonly Lock _gate = new();
    private readonly Stack<ProducerBatch> _free = new();
    private readonly BufferPool _buffers;

    public BatchPool(BufferPool buffers)
    {
        _buffers = buffers;
    }

    public ProducerBatch Rent()
    {
        lock (_gate)
        {
            if (_free.TryPop(out ProducerBatch? batch))
            {
                return batch;
            }
        }

        return new ProducerBatch(this, _buffers);
    }

    public void Return(ProducerBatch batch)
    {
        lock (_gate)
        {
            if (_free.Count < MaxPooled)
            {
                _free.Push(batch);
            }
        }
    }
}
