using System.Numerics;
using System.Runtime.CompilerServices;

namespace FastLog.Format;

/// <summary>
/// Kafka's two variable-length integer encodings. Both store 7 data bits per byte, least
/// significant group first, with the high bit set on every byte but the last.
/// <list type="bullet">
/// <item><b>Zig-zag</b> varint/varlong (<c>ByteUtils.writeVarint/writeVarlong</c>): every integer
/// inside a record. n maps to (n &lt;&lt; 1) ^ (n &gt;&gt; 31) so small negatives stay short.</item>
/// <item><b>Unsigned</b> varint (<c>ByteUtils.writeUnsignedVarint</c>): protocol-level compact
/// lengths, counts and tagged fields.</item>
/// </list>
/// Readers are strict: input that ends mid-number, uses more than 5 (32-bit) or 10 (64-bit)
/// bytes, or carries bits beyond the target width is refused. No encoder emits such input, and
/// accepting it would give one value several encodings. Nothing here allocates.
/// </summary>
public static class VarInt
{
    /// <summary>Longest encoding of a 32-bit value.</summary>
    public const int MaxVarIntBytes = 5;

    /// <summary>Longest encoding of a 64-bit value.</summary>
    public const int MaxVarLongBytes = 10;

    // ---- zig-zag mapping ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ZigZagEncode(int value) => (uint)((value << 1) ^ (value >> 31));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ZigZagEncode(long value) => (ulong)((value << 1) ^ (value >> 63));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ZigZagDecode(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ZigZagDecode(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    // ---- sizes ----

    /// <summary>Bytes an unsigned varint of <paramref name="value"/> occupies (1-5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfUnsignedVarInt(uint value) =>
        // Each byte carries 7 bits; (bits + 6) / 7 with a floor of one byte for zero.
        ((32 - BitOperations.LeadingZeroCount(value | 1)) + 6) / 7;

    /// <summary>Bytes an unsigned varlong of <paramref name="value"/> occupies (1-10).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfUnsignedVarLong(ulong value) =>
        ((64 - BitOperations.LeadingZeroCount(value | 1)) + 6) / 7;

    /// <summary>Bytes a zig-zag varint of <paramref name="value"/> occupies (1-5).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfVarInt(int value) => SizeOfUnsignedVarInt(ZigZagEncode(value));

    /// <summary>Bytes a zig-zag varlong of <paramref name="value"/> occupies (1-10).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SizeOfVarLong(long value) => SizeOfUnsignedVarLong(ZigZagEncode(value));

    // ---- writers: return the bytes written; the destination must be large enough ----

    /// <summary>Writes an unsigned varint; throws <see cref="ArgumentException"/> if it does not fit.</summary>
    public static int WriteUnsignedVarInt(Span<byte> destination, uint value)
    {
        int size = SizeOfUnsignedVarInt(value);
        if (destination.Length < size)
        {
            ThrowDestinationTooSmall();
        }

        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i] = (byte)value;
        return size;
    }

    /// <summary>Writes an unsigned varlong; throws <see cref="ArgumentException"/> if it does not fit.</summary>
    public static int WriteUnsignedVarLong(Span<byte> destination, ulong value)
    {
        int size = SizeOfUnsignedVarLong(value);
        if (destination.Length < size)
        {
            ThrowDestinationTooSmall();
        }

        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i] = (byte)value;
        return size;
    }

    /// <summary>Writes a zig-zag varint (record fields).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteVarInt(Span<byte> destination, int value) => WriteUnsignedVarInt(destination, ZigZagEncode(value));

    /// <summary>Writes a zig-zag varlong (record fields).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteVarLong(Span<byte> destination, long value) => WriteUnsignedVarLong(destination, ZigZagEncode(value));

    // ---- Try readers: false for truncated, overlong or out-of-range input ----

    /// <summary>Reads an unsigned varint of at most 5 bytes whose value fits 32 bits.</summary>
    public static bool TryReadUnsignedVarInt(ReadOnlySpan<byte> source, out uint value, out int bytesRead)
    {
        uint result = 0;
        int limit = Math.Min(source.Length, MaxVarIntBytes);
        for (int i = 0; i < limit; i++)
        {
            uint b = source[i];
            if (i == MaxVarIntBytes - 1 && b > 0x0F)
            {
                // The fifth byte may only carry the top 4 bits; more (or a continuation bit) is overlong.
                break;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }

        value = 0;
        bytesRead = 0;
        return false;
    }

    /// <summary>Reads an unsigned varlong of at most 10 bytes whose value fits 64 bits.</summary>
    public static bool TryReadUnsignedVarLong(ReadOnlySpan<byte> source, out ulong value, out int bytesRead)
    {
        ulong result = 0;
        int limit = Math.Min(source.Length, MaxVarLongBytes);
        for (int i = 0; i < limit; i++)
        {
            ulong b = source[i];
            if (i == MaxVarLongBytes - 1 && b > 0x01)
            {
                // The tenth byte may only carry the top bit.
                break;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                bytesRead = i + 1;
                return true;
            }
        }

        value = 0;
        bytesRead = 0;
        return false;
    }

    /// <summary>Reads a zig-zag varint (record fields).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarInt(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        bool ok = TryReadUnsignedVarInt(source, out uint raw, out bytesRead);
        value = ZigZagDecode(raw);
        return ok;
    }

    /// <summary>Reads a zig-zag varlong (record fields).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarLong(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        bool ok = TryReadUnsignedVarLong(source, out ulong raw, out bytesRead);
        value = ZigZagDecode(raw);
        return ok;
    }

    // ---- throwing readers: malformed input is an INVALID_RECORD refusal ----

    /// <summary>Reads a zig-zag varint or throws <see cref="InvalidRecordBatchException"/> (InvalidRecord).</summary>
    public static int ReadVarInt(ReadOnlySpan<byte> source, out int bytesRead)
    {
        if (!TryReadVarInt(source, out int value, out bytesRead))
        {
            FormatThrow.InvalidRecord("malformed varint: truncated or longer than 5 bytes");
        }

        return value;
    }

    /// <summary>Reads a zig-zag varlong or throws <see cref="InvalidRecordBatchException"/> (InvalidRecord).</summary>
    public static long ReadVarLong(ReadOnlySpan<byte> source, out int bytesRead)
    {
        if (!TryReadVarLong(source, out long value, out bytesRead))
        {
            FormatThrow.InvalidRecord("malformed varlong: truncated or longer than 10 bytes");
        }

        return value;
    }

    /// <summary>Reads an unsigned varint or throws <see cref="InvalidRecordBatchException"/> (InvalidRecord).</summary>
    public static uint ReadUnsignedVarInt(ReadOnlySpan<byte> source, out int bytesRead)
    {
        if (!TryReadUnsignedVarInt(source, out uint value, out bytesRead))
        {
            FormatThrow.InvalidRecord("malformed unsigned varint: truncated or longer than 5 bytes");
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowDestinationTooSmall() =>
        throw new ArgumentException("destination too small for the varint", "destination");
}
