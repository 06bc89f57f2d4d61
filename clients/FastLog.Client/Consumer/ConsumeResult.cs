namespace FastLog.Client.Consumer;

/// <summary>
/// A consumed record with its key and value deserialized and its headers copied: unlike
/// <see cref="ConsumedRecord"/> it owns its data and may be kept. Returned by
/// <see cref="KafkaConsumer{TKey, TValue}.ConsumeAsync(CancellationToken)"/>.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TValue">Value type.</typeparam>
public sealed class ConsumeResult<TKey, TValue>
{
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }

    /// <summary>The partition index.</summary>
    public required int Partition { get; init; }

    /// <summary>The record's offset.</summary>
    public required long Offset { get; init; }

    /// <summary>Milliseconds since the Unix epoch; its meaning is <see cref="TimestampType"/>.</summary>
    public required long Timestamp { get; init; }

    /// <summary>Creation time or broker append time.</summary>
    public required TimestampType TimestampType { get; init; }

    /// <summary>The partition leader epoch of the record's batch, or -1.</summary>
    public int LeaderEpoch { get; init; } = -1;

    /// <summary>The deserialized key (null for a null key with the reference-type deserializers).</summary>
    public required TKey Key { get; init; }

    /// <summary>The deserialized value (null for a tombstone with the reference-type deserializers).</summary>
    public required TValue Value { get; init; }

    /// <summary>The headers in record order: UTF-8-decoded keys and copied values (null stays null).</summary>
    public required IReadOnlyList<KeyValuePair<string, byte[]?>> Headers { get; init; }

    /// <summary>The partition as a value.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <summary>The offset to commit after processing this record (this offset + 1).</summary>
    public TopicPartitionOffset NextOffset => new(TopicPartition, Offset + 1) { LeaderEpoch = LeaderEpoch };

    /// <summary><c>topic-partition@offset</c>.</summary>
    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}
