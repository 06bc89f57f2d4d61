namespace FastLog.Client.Producer;

/// <summary>
/// The batches of one partition waiting to be sent, oldest first: a growable ring buffer (no allocation per
/// operation once grown). Retried batches go back in sequence order, ahead of newer ones, so an idempotent partition
/// always sends its sequences in order. Guarded by the owning partition's lock.
/// </summary>
internal sealed class BatchDeque
{
    private ProducerBatch?[] _items = new ProducerBatch?[8];
    private int _head;
    private int _count;

    public int Count => _count;

    public ProducerBatch this[int index] => _items[(_head + index) % _items.Length]!;

    public ProducerBatch? PeekFirst() => _count == 0 ? null : _items[_head];

    public void AddLast(ProducerBatch batch)
    {
        Grow();
        _items[(_head + _count) % _items.Length] = batch;
        _count++;
    }

    public ProducerBatch RemoveFirst()
    {
        ProducerBatch batch = _items[_head]!;
        _items[_head] = null;
        _head = (_head + 1) % _items.Length;
        _count--;
        return batch;
    }

    /// <summary>
    /// Puts a batch that was sent back for another try ahead of every batch created after it, so the partition's
    /// batches (and with idempotence their sequences) go out in creation order again.
    /// </summary>
    public void InsertInOrder(ProducerBatch batch)
    {
        int position = 0;
        while (position < _count && this[position].Ordinal < batch.Ordinal)
        {
            position++;
        }

        Grow();
        for (int i = _count; i > position; i--)
        {
            _items[(_head + i) % _items.Length] = _items[(_head + i - 1) % _items.Length];
        }

        _items[(_head + position) % _items.Length] = batch;
        _count++;
    }

    private void Grow()
    {
        if (_count < _items.Length)
        {
            return;
        }

        var grown = new ProducerBatch?[_items.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            grown[i] = _items[(_head + i) % _items.Length];
        }

        _items = grown;
        _head = 0;
    }
}
