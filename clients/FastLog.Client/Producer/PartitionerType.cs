namespace FastLog.Client.Producer;

/// <summary>
/// How a record without an explicit partition is assigned one (<c>partitioner</c>, librdkafka's names).
/// Keyed records are always hashed exactly as the Java client hashes them, so a key lands on the same partition
/// whichever Java-compatible client produced it.
/// </summary>
public enum PartitionerType
{
    /// <summary>
    /// <c>murmur2_random</c> (the default, the Java client's behaviour): keyed records by murmur2 of the key;
    /// records without a key stick to one partition until its batch is sent (KIP-480).
    /// </summary>
    Murmur2Random,

    /// <summary><c>murmur2</c>: every record by murmur2 of its key; a null key hashes like an empty one.</summary>
    Murmur2,

    /// <summary><c>random</c>: keys are ignored; every record sticks to a partition until its batch is sent.</summary>
    Random,
}
