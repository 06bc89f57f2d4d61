namespace FastLog.Client.Serialization;

/// <summary>What a serializer is serializing for.</summary>
/// <param name="Topic">The topic the record goes to.</param>
/// <param name="IsKey">True for the record key, false for the value.</param>
public readonly record struct SerializationContext(string Topic, bool IsKey);
