using System.Text;

namespace FastLog.Protocol;

/// <summary>Wire sizes of the variable-length types, mirroring <see cref="KafkaWriter"/>.</summary>
public static class KafkaSize
{
    /// <summary>Length prefix of a string/array: int16 or int32 classic, uvarint N+1 compact.</summary>
    public static int OfLengthPrefix(int length, bool flexible, bool int16Length) =>
        flexible ? UnsignedVarInt.SizeOf((uint)(length + 1)) : (int16Length ? 2 : 4);

    public static int OfString(string value, bool flexible)
    {
        int lengthBytes = Encoding.UTF8.GetByteCount(value);
        return OfLengthPrefix(lengthBytes, flexible, int16Length: true) + lengthBytes;
    }

    public static int OfNullableString(string? value, bool flexible) =>
        value is null ? (flexible ? 1 : 2) : OfString(value, flexible);

    public static int OfBytes(int lengthBytes, bool flexible) =>
        OfLengthPrefix(lengthBytes, flexible, int16Length: false) + lengthBytes;

    public static int OfNullableBytes(byte[]? value, bool flexible) =>
        value is null ? (flexible ? 1 : 4) : OfBytes(value.Length, flexible);

    /// <summary>Array count prefix; <paramref name="count"/> -1 means null.</summary>
    public static int OfArrayCount(int count, bool flexible) =>
        flexible ? UnsignedVarInt.SizeOf((uint)(count + 1)) : 4;

    /// <summary>Adds a records field: prefix inline, payload inline or external.</summary>
    public static void AddRecords(ref MessageSize size, KafkaRecords records, bool flexible)
    {
        if (records.IsNull)
        {
            size.Add(flexible ? 1 : 4);
            return;
        }

        size.Add(OfLengthPrefix(records.LengthBytes, flexible, int16Length: false));
        if (records.IsExternal)
        {
            size.AddExternal(records.LengthBytes);
        }
        else
        {
            size.Add(records.LengthBytes);
        }
    }
}
