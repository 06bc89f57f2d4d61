namespace FastLog.Client.Serialization;

/// <summary>
/// Turns the bytes of a record's key or value into <typeparamref name="T"/>. Implementations must not keep
/// the data span beyond the call: it points into a pooled network or decompression buffer.
/// </summary>
/// <typeparam name="T">The deserialized type.</typeparam>
public interface IDeserializer<out T>
{
    /// <summary>Deserializes one key or value.</summary>
    /// <param name="data">The bytes; empty when <paramref name="isNull"/>.</param>
    /// <param name="isNull">True for a null key or value (a tombstone), as distinct from empty bytes.</param>
    /// <param name="context">Which part of which record is being read.</param>
    T Deserialize(ReadOnlySpan<byte> data, bool isNull, DeserializationContext context);
}
