namespace FastLog.Client.Producer;

/// <summary>Where a delivered record was written.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">
/// The record's offset, or -1 when the broker did not say: with <c>acks=0</c>, or when a retried batch was answered
/// as a duplicate by a broker that does not return the original offsets.
/// </param>
/// <param name="Timestamp">The record's timestamp: its create time, or the broker's append time on a LogAppendTime topic.</param>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, DateTimeOffset Timestamp);
