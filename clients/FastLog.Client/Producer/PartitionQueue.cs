namespace FastLog.Client.Producer;

/// <summary>
/// Everything the producer holds for one partition: the batch being filled, the batches waiting to be sent (oldest
/// first), the ones in flight, and with idempotence the partition's sequence numbers. One short lock (<see cref="Gate"/>)
/// guards it all; appenders hold it for one record's encoding, the sender for moving batches between the lists.
/// </summary>
internal sealed class PartitionQueue
{
    public PartitionQueue(string topic, int partition)
    {
        Topic = topic;
        Partition = partition;
    }

    public string Topic { get; }

    public int Partition { get; }

    public Lock Gate { get; } = new();

    /// <summary>The batch records are appended to, or null.</summary>
    public ProducerBatch? Open { get; set; }

    /// <summary>Closed batches waiting to be sent, in creation order.</summary>
    public BatchDeque Ready { get; } = new();

    /// <summary>Batches sent and not yet answered, in the order they were sent.</summary>
    public List<ProducerBatch> InFlight { get; } = [];

    /// <summary>The <see cref="ProducerBatch.Ordinal"/> of the next batch.</summary>
    public long NextOrdinal { get; set; }

    /// <summary>The sequence the next batch sent for the first time gets (idempotence).</summary>
    public int NextSequence { get; set; }

    /// <summary>The last sequence the broker acknowledged, or -1 (idempotence).</summary>
    public int LastAckedSequence { get; set; } = -1;

    /// <summary>
    /// Buffer size the next batch starts with: the size the previous batch grew to, so a busy partition does not
    /// re-grow every batch from the minimum, and a quiet one shrinks back.
    /// </summary>
    public int NextBufferBytes { get; set; } = ProducerBatch.MinBufferBytes;

    /// <summary>After a batch the codec could not shrink, this many batches are sent uncompressed before trying again.</summary>
    public const int IncompressibleSkipBatches = 8;

    private int _skipCompression;

    /// <summary>True when this batch should not even try the codec (a recent one did not shrink); counts the skip.</summary>
    public bool SkipCompression()
    {
        int left = Volatile.Read(ref _skipCompression);
        while (left > 0)
        {
            int seen = Interlocked.CompareExchange(ref _skipCompression, left - 1, left);
            if (seen == left)
            {
                return true;
            }

            left = seen;
        }

        return false;
    }

    public void OnIncompressible() => Volatile.Write(ref _skipCompression, IncompressibleSkipBatches);

    public void OnCompressible() => Volatile.Write(ref _skipCompression, 0);

    /// <summary>True when a batch is open or waiting; read without the lock by the sender to skip idle partitions.</summary>
    public bool HasQueued => Volatile.Read(ref _queued) != 0;

    private int _queued;

    /// <summary>Moves the open batch to the ready queue. Caller holds <see cref="Gate"/>.</summary>
    public void CloseOpen()
    {
        ProducerBatch? open = Open;
        if (open is null)
        {
            return;
        }

        Open = null;
        Ready.AddLast(open);
        NextBufferBytes = Math.Max(ProducerBatch.MinBufferBytes, (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)open.EstimatedSizeBytes)));
        UpdateQueued();
    }

    /// <summary>Recomputes <see cref="HasQueued"/>. Caller holds <see cref="Gate"/>.</summary>
    public void UpdateQueued() => Volatile.Write(ref _queued, Open is not null || Ready.Count > 0 ? 1 : 0);
}
