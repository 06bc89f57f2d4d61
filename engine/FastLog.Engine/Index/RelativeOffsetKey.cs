using System.Buffers.Binary;

namespace FastLog.Engine.Index;

/// <summary>Key of an offset index entry: the big-endian int32 relative offset in bytes 0..3.</summary>
internal readonly unsafe struct RelativeOffsetKey : IIndexKey
{
    public static long Read(byte* entry) => BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(entry, sizeof(int)));
}
