namespace FastLog.Protocol;

/// <summary>
/// Protocol-level unsigned varint (compact lengths, tagged-field headers): 7 data bits per byte, least
/// significant group first, high bit = "more". At most 5 bytes for a 32-bit value. Not the zig-zag varint
/// used inside records.
/// </summary>
public static class UnsignedVarInt
{
    public const int MaxBytes = 5;

    public static int SizeOf(uint value)
    {
        // Each byte carries 7 bits; value 0 still needs one byte.
        int significantBits = 32 - System.Numerics.BitOperations.LeadingZeroCount(value | 1);
        return (significantBits + 6) / 7;
    }
}
