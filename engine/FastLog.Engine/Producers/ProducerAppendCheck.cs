namespace FastLog.Engine.Producers;

/// <summary>The verdict on an idempotent producer's batch, checked against that producer's state in the partition.</summary>
public enum ProducerAppendCheck
{
    /// <summary>The next batch in sequence (or not idempotent at all): append it.</summary>
    Accept,
    /// <summary>A retry of one of the producer's last five batches: answer with its original offsets, write nothing.</summary>
    Duplicate,
    /// <summary>A gap or a step back in the sequence: Kafka's OUT_OF_ORDER_SEQUENCE_NUMBER (45).</summary>
    OutOfOrderSequence,
    /// <summary>An epoch older than the producer's current one (a fenced, zombie producer): INVALID_PRODUCER_EPOCH (47).</summary>
    InvalidProducerEpoch,
    /// <summary>No state for the producer and a sequence other than 0: UNKNOWN_PRODUCER_ID (59); the client resets.</summary>
    UnknownProducerId,
}
