using System.Runtime.CompilerServices;

namespace FastLog.Client.Consumer;

/// <summary>
/// Zig-zag varint reads for the consume hot path. Record fields are almost always one or two bytes, so the
/// one-byte case is inlined and everything else takes the bounds-checked loop. Malformed input (truncated,
/// longer than the type allows) returns false; callers turn that into a corrupt-record error.
/// </summary>
internal static class RecordVarInt
{
    /// <summary>Reads a zig-zag varint at <paramref name="position"/> (advanced past it) within <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(byte[] buffer, ref int position, int end, out int value)
    {
        int p = position;
        if ((uint)p < (uint)end && (uint)end <= (uint)buffer.Length)
        {
            uint b = buffer[p];
            if (b < 0x80)
            {
                position = p + 1;
                value = (int)(b >> 1) ^ -(int)(b & 1);
                return true;
            }
        }

        return TryReadSlow(buffer, ref position, end, out value);
    }

    /// <summary>Reads a zig-zag varlong at <paramref name="position"/> (advanced past it) within <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadLong(byte[] buffer, ref int position, int end, out long value)
    {
        int p = position;
        if ((uint)p < (uint)end && (uint)end <= (uint)buffer.Length)
        {
            ulong b = buffer[p];
            if (b < 0x80)
            {
                position = p + 1;
                value = (long)(b >> 1) ^ -(long)(b & 1);
                return true;
            }
        }

        return TryReadLongSlow(buffer, ref position, end, out value);
    }

    private static bool TryReadSlow(byte[] buffer, ref int position, int end, out int value)
    {
        value = 0;
        if (end > buffer.Length)
        {
            return false;
        }

        uint result = 0;
        int p = position;
        for (int i = 0; i < 5; i++, p++)
        {
            if (p >= end)
            {
                return false;
            }

            uint b = buffer[p];
            if (i == 4 && b > 0x0F)
            {
                return false;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                position = p + 1;
                value = (int)(result >> 1) ^ -(int)(result & 1);
                return true;
            }
        }

        return false;
    }

    private static bool TryReadLongSlow(byte[] buffer, ref int position, int end, out long value)
    {
        value = 0;
        if (end > buffer.Length)
        {
            return false;
        }

        ulong result = 0;
        int p = position;
        for (int i = 0; i < 10; i++, p++)
        {
            if (p >= end)
            {
                return false;
            }

            ulong b = buffer[p];
            if (i == 9 && b > 0x01)
            {
                return false;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                position = p + 1;
                value = (long)(result >> 1) ^ -(long)(result & 1);
                return true;
            }
        }

        return false;
    }
}
