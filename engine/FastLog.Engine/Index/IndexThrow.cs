using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastLog.Engine.Index;

/// <summary>Cold throw helpers, kept out of Append and Lookup so those stay small and allocation-free.</summary>
internal static class IndexThrow
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ReadOnly(string path) =>
        throw new InvalidOperationException($"index {path} is open read-only");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Disposed(string path) =>
        throw new ObjectDisposedException(path, $"index {path} is closed");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Full(string path, int maxEntries) =>
        throw new InvalidOperationException($"index {path} is full ({maxEntries} entries)");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void OffsetOutOfRange(string paramName, long offset, long baseOffset) =>
        throw new ArgumentOutOfRangeException(
            paramName,
            offset,
            $"offset {offset} is not within [{baseOffset}, {baseOffset + int.MaxValue}], so its offset relative to the segment base {baseOffset} does not fit in an int32");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void NegativePosition(int position) =>
        throw new ArgumentOutOfRangeException(nameof(position), position, "a .log position must not be negative");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void OutOfOrder(string path, string what, long value, long last) =>
        throw new InvalidOperationException($"index {path}: {what} {value} does not follow the last entry's {last}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void SlotOutOfRange(int index, int entryCount) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, $"the index holds {entryCount} entries");
}
