using System.Buffers;

namespace FastLog.Client.Serialization;

/// <summary>
/// Turns a key or value into the bytes of a record, written straight into the producer's buffer (no intermediate
/// array). A null reference is never passed: the producer writes a null key or value itself.
/// </summary>
/// <typeparam name="T">The type serialized.</typeparam>
public interface ISerializer<in T>
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/>. Called on the producing thread; must be thread-safe.</summary>
    /// <param name="value">The value, never a null reference.</param>
    /// <param name="destination">Where the bytes go; request space with <c>GetSpan</c> and commit it with <c>Advance</c>.</param>
    /// <param name="context">The topic and whether this is the key or the value.</param>
    void Serialize(T value, IBufferWriter<byte> destination, in SerializationContext context);
}
