namespace FastLog.Client.Producer;

/// <summary>
/// The outcome of one record produced with <see cref="KafkaProducer{TKey, TValue}.Produce(string, Message{TKey, TValue}, Action{DeliveryReport})"/>,
/// handed to its delivery handler.
/// </summary>
/// <param name="Result">Where the record was written; on failure, its topic and partition with offset -1.</param>
/// <param name="Error">Null when delivered; otherwise why not (its <see cref="KafkaException.Error"/> is the Kafka error code).</param>
public readonly record struct DeliveryReport(DeliveryResult Result, KafkaException? Error)
{
    /// <summary>True when the record was delivered.</summary>
    public bool IsSuccess => Error is null;
}
