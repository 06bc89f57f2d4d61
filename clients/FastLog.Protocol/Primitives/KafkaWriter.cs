using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace FastLog.Protocol;

/// <summary>
/// Big-endian writer into a span sized beforehand with <c>AddSize</c>/<see cref="MessageSize.InlineBytes"/>.
/// </summary>
/// <remarks>
/// Writing past the span is a sizing bug, not bad input, so it throws <see cref="InvalidOperationException"/>.
/// A writer created with an external-records list writes external <see cref="KafkaRecords"/> as their length
/// prefix only and appends an <see cref="ExternalRecordsSlot"/> (see <see cref="KafkaRecords"/>).
/// </remarks>
public ref struct KafkaWriter
{
    private readonly Span<byte> _buffer;
    private readonly List<ExternalRecordsSlot>? _externalRecords;
    private readonly int _outputOffset;
    private int _position;

    public KafkaWriter(Span<byte> buffer)
        : this(buffer, null, 0)
    {
    }

    /// <param name="buffer">Destination.</param>
    /// <param name="externalRecords">Receives a slot per external records value; null forbids them.</param>
    /// <param name="outputOffset">Offset of <paramref name="buffer"/> in the overall output, so slot offsets are
    /// relative to the whole output (e.g. the frame including its size prefix and header).</param>
    public KafkaWriter(Span<byte> buffer, List<ExternalRecordsSlot>? externalRecords, int outputOffset)
    {
        _buffer = buffer;
        _externalRecords = externalRecords;
        _outputOffset = outputOffset;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    public void WriteInt8(sbyte value) => Take(1)[0] = (byte)value;

    public void WriteBool(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(2), value);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Take(8), value);

    public void WriteUuid(Guid value) => value.TryWriteBytes(Take(16), bigEndian: true, out _);

    public void WriteUnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Take(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Take(1)[0] = (byte)value;
    }

    public void WriteString(string value, bool flexible)
    {
        int lengthBytes = Encoding.UTF8.GetByteCount(value);
        WriteLengthPrefix(lengthBytes, flexible, int16Length: true);
        Encoding.UTF8.GetBytes(value, Take(lengthBytes));
    }

    public void WriteNullableString(string? value, bool flexible)
    {
        if (value is null)
        {
            WriteNull(flexible, int16Length: true);
            return;
        }

        WriteString(value, flexible);
    }

    public void WriteBytes(ReadOnlySpan<byte> value, bool flexible)
    {
        WriteLengthPrefix(value.Length, flexible, int16Length: false);
        value.CopyTo(Take(value.Length));
    }

    public void WriteNullableBytes(byte[]? value, bool flexible)
    {
        if (value is null)
        {
            WriteNull(flexible, int16Length: false);
            return;
        }

        WriteBytes(value, flexible);
    }

    public void WriteRecords(KafkaRecords records, bool flexible)
    {
        if (records.IsNull)
        {
            WriteNull(flexible, int16Length: false);
            return;
        }

        WriteLengthPrefix(records.LengthBytes, flexible, int16Length: false);
        if (!records.IsExternal)
        {
            records.Bytes.Span.CopyTo(Take(records.LengthBytes));
            return;
        }

        if (_externalRecords is null)
        {
            ProtocolThrow.ExternalRecordsWithoutSink();
        }

        _externalRecords.Add(new ExternalRecordsSlot(_outputOffset + _position, records));
    }

    /// <summary>Writes an array count; -1 writes null.</summary>
    public void WriteArrayCount(int count, bool flexible)
    {
        if (flexible)
        {
            WriteUnsignedVarInt((uint)(count + 1));
        }
        else
        {
            WriteInt32(count);
        }
    }

    public void WriteRawBytes(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));

    private void WriteLengthPrefix(int length, bool flexible, bool int16Length)
    {
        if (flexible)
        {
            WriteUnsignedVarInt((uint)length + 1);
        }
        else if (int16Length)
        {
            WriteInt16(checked((short)length));
        }
        else
        {
            WriteInt32(length);
        }
    }

    private void WriteNull(bool flexible, bool int16Length)
    {
        if (flexible)
        {
            WriteUnsignedVarInt(0);
        }
        else if (int16Length)
        {
            WriteInt16(-1);
        }
        else
        {
            WriteInt32(-1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Take(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            ProtocolThrow.WriterOverflow(count, _buffer.Length - _position);
        }

        Span<byte> slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
