using FastLog.Client.Consumer;

namespace FastLog.Client.Serialization;

/// <summary>What a deserializer is reading: the key or the value of a record of <see cref="Topic"/>.</summary>
/// <param name="Topic">The record's topic.</param>
/// <param name="IsKey">True for the key, false for the value.</param>
/// <param name="Headers">The record's headers (e.g. for a schema id); valid only during the call.</param>
public readonly record struct DeserializationContext(string Topic, bool IsKey, ConsumedHeaders Headers);
