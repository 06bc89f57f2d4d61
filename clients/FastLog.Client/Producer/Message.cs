namespace FastLog.Client.Producer;

/// <summary>
/// A record to produce. The producer serializes key, value and headers before the produce call returns, so one
/// instance may be filled in and reused for every record (that is how a tight produce loop avoids allocating).
/// </summary>
/// <typeparam name="TKey">Key type, serialized with the producer's key serializer; a null key is sent as null.</typeparam>
/// <typeparam name="TValue">Value type, serialized with the producer's value serializer; a null value is a tombstone.</typeparam>
public sealed class Message<TKey, TValue>
{
    /// <summary>The key; records with equal keys land on the same partition (murmur2, as the Java client).</summary>
    public TKey Key { get; set; } = default!;

    /// <summary>The value.</summary>
    public TValue Value { get; set; } = default!;

    /// <summary>Headers, or null for none.</summary>
    public IReadOnlyList<Header>? Headers { get; set; }

    /// <summary>The record's create time; null means the time of the produce call.</summary>
    public DateTimeOffset? Timestamp { get; set; }
}
