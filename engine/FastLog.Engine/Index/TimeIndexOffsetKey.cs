using System.Buffers.Binary;

namespace FastLog.Engine.Index;

/// <summary>
/// Key of a time index entry for truncation by offset: the big-endian int32 relative offset in
/// bytes 8..11. Offsets in a time index never decrease, so they can be binary searched too.
/// </summary>
internal readonly unsafe struct TimeIndexOffsetKey : IIndexKey
{
    public static long Read(byte* entry) => BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(entry + sizeof(long), sizeof(int)));
}
