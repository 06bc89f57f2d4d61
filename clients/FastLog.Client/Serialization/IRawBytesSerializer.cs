namespace FastLog.Client.Serialization;

/// <summary>
/// A serializer whose output is bytes the value already holds (byte arrays, memory). The producer copies those bytes
/// straight into the batch instead of serializing them into scratch space first, saving one copy per record.
/// </summary>
internal interface IRawBytesSerializer<in T>
{
    /// <summary>The bytes <paramref name="value"/> serializes to.</summary>
    ReadOnlySpan<byte> GetBytes(T value);
}
