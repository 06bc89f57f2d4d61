using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace FastLog.Protocol;

/// <summary>
/// Big-endian reader over one complete Kafka message (a frame, or a slice of one).
/// </summary>
/// <remarks>
/// Every length and count is validated against the bytes remaining before anything is allocated:
/// negative lengths other than the null marker, lengths past the end and array counts that could not fit
/// throw <see cref="ProtocolException"/>. Running out of bytes inside a complete frame is malformed input,
/// never "need more data": frame completeness is decided earlier by <see cref="KafkaFrame"/>.
/// Created over <see cref="ReadOnlyMemory{T}"/>, <c>records</c> values alias the input instead of copying.
/// </remarks>
public ref struct KafkaReader
{
    /// <summary>Kafka's own limit for string lengths (int16 in the classic encoding).</summary>
    public const int MaxStringBytes = short.MaxValue;

    private readonly ReadOnlySpan<byte> _buffer;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _hasMemory;
    private int _position;

    public KafkaReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _memory = default;
        _hasMemory = false;
        _position = 0;
    }

    public KafkaReader(ReadOnlyMemory<byte> buffer)
    {
        _buffer = buffer.Span;
        _memory = buffer;
        _hasMemory = true;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int RemainingBytes => _buffer.Length - _position;

    public readonly bool IsAtEnd => _position == _buffer.Length;

    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    public bool ReadBool() => Take(1)[0] != 0;

    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    /// <summary>16 bytes, most significant first (Java's UUID order, which is also RFC 4122 text order).</summary>
    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    public uint ReadUnsignedVarInt()
    {
        uint value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = Take(1)[0];
            if (shift == 28 && b > 0x0F)
            {
                // The fifth byte may only carry the top 4 bits of a 32-bit value.
                ProtocolThrow.VarIntTooLong();
            }

            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        ProtocolThrow.VarIntTooLong();
        return 0;
    }

    public string ReadString(bool flexible)
    {
        string? value = ReadNullableString(flexible);
        if (value is null)
        {
            ProtocolThrow.UnexpectedNull("string");
        }

        return value;
    }

    public string? ReadNullableString(bool flexible)
    {
        int length;
        if (flexible)
        {
            uint encoded = ReadUnsignedVarInt();
            if (encoded == 0)
            {
                return null;
            }

            if (encoded - 1 > MaxStringBytes)
            {
                ProtocolThrow.StringTooLong(encoded - 1L);
            }

            length = (int)(encoded - 1);
        }
        else
        {
            length = ReadInt16();
            if (length == -1)
            {
                return null;
            }

            if (length < 0)
            {
                ProtocolThrow.NegativeLength(length);
            }
        }

        return length == 0 ? string.Empty : Encoding.UTF8.GetString(Take(length));
    }

    public byte[] ReadBytes(bool flexible)
    {
        byte[]? value = ReadNullableBytes(flexible);
        if (value is null)
        {
            ProtocolThrow.UnexpectedNull("bytes");
        }

        return value;
    }

    public byte[]? ReadNullableBytes(bool flexible)
    {
        int length = ReadBytesLength(flexible);
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>Reads a records field without copying when the reader was created over memory.</summary>
    public KafkaRecords ReadRecords(bool flexible)
    {
        int length = ReadBytesLength(flexible);
        if (length < 0)
        {
            return KafkaRecords.Null;
        }

        int start = _position;
        ReadOnlySpan<byte> bytes = Take(length);
        return KafkaRecords.FromBytes(_hasMemory ? _memory.Slice(start, length) : bytes.ToArray());
    }

    /// <summary>
    /// Reads an array count, -1 for null. <paramref name="minElementBytes"/> is the smallest encoding of one
    /// element; a count whose elements could not fit in the remaining bytes is rejected before any list exists.
    /// </summary>
    public int ReadArrayCount(bool flexible, int minElementBytes)
    {
        long count;
        if (flexible)
        {
            count = (long)ReadUnsignedVarInt() - 1;
        }
        else
        {
            count = ReadInt32();
            if (count < -1)
            {
                ProtocolThrow.NegativeLength(count);
            }
        }

        if (count > 0 && count * minElementBytes > RemainingBytes)
        {
            ProtocolThrow.ArrayTooLong(count, RemainingBytes);
        }

        return (int)count;
    }

    /// <summary>Reads a tagged-field count; each field needs at least 2 bytes (tag and size).</summary>
    public int ReadTaggedFieldCount()
    {
        uint count = ReadUnsignedVarInt();
        if (count > (uint)RemainingBytes / 2)
        {
            ProtocolThrow.ArrayTooLong(count, RemainingBytes);
        }

        return (int)count;
    }

    /// <summary>Returns a reader over the next <paramref name="lengthBytes"/> bytes and skips them here.</summary>
    public KafkaReader ReadSlice(int lengthBytes)
    {
        if (lengthBytes < 0)
        {
            ProtocolThrow.NegativeLength(lengthBytes);
        }

        int start = _position;
        ReadOnlySpan<byte> bytes = Take(lengthBytes);
        return _hasMemory ? new KafkaReader(_memory.Slice(start, lengthBytes)) : new KafkaReader(bytes);
    }

    /// <summary>Reads a tagged field's size prefix, validated against the remaining bytes.</summary>
    public int ReadTaggedFieldSize()
    {
        uint size = ReadUnsignedVarInt();
        if (size > (uint)RemainingBytes)
        {
            ProtocolThrow.LengthPastEnd(size, RemainingBytes);
        }

        return (int)size;
    }

    public byte[] ReadRemainingBytes() => Take(RemainingBytes).ToArray();

    public void Skip(int lengthBytes) => Take(lengthBytes);

    private int ReadBytesLength(bool flexible)
    {
        if (flexible)
        {
            uint encoded = ReadUnsignedVarInt();
            if (encoded == 0)
            {
                return -1;
            }

            if (encoded - 1 > (uint)RemainingBytes)
            {
                ProtocolThrow.LengthPastEnd(encoded - 1L, RemainingBytes);
            }

            return (int)(encoded - 1);
        }

        int length = ReadInt32();
        if (length < -1)
        {
            ProtocolThrow.NegativeLength(length);
        }

        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ProtocolThrow.Truncated(count, _buffer.Length - _position);
        }

        ReadOnlySpan<byte> slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
