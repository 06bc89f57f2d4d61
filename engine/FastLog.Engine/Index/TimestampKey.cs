using System.Buffers.Binary;

namespace FastLog.Engine.Index;

/// <summary>Key of a time index entry for lookups by time: the big-endian int64 timestamp in bytes 0..7.</summary>
internal readonly unsafe struct TimestampKey : IIndexKey
{
    public static long Read(byte* entry) => BinaryPrimitives.ReadInt64BigEndian(new ReadOnlySpan<byte>(entry, sizeof(long)));
}
