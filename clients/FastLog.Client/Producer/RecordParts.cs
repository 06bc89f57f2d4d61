using System.Text;
using FastLog.Format;

namespace FastLog.Client.Producer;

/// <summary>
/// One serialized record on its way into a batch: spans over the serialized key and value (scratch space of the
/// producing thread, or the caller's own arrays), the headers, and the size of everything after the offset delta,
/// which does not depend on where in a batch the record lands and so is computed once, outside any lock.
/// </summary>
internal readonly ref struct RecordParts
{
    /// <summary>attributes (1) + timestamp delta (varlong, at most 10) + offset delta (varint, at most 5) + length prefix (varint, at most 5).</summary>
    private const int MaxFramingBytes = 1 + 10 + 5 + 5;

    public RecordParts(long timestampMs, ReadOnlySpan<byte> key, bool keyIsNull, ReadOnlySpan<byte> value, bool valueIsNull, IReadOnlyList<Header>? headers)
    {
        TimestampMs = timestampMs;
        Key = key;
        KeyIsNull = keyIsNull;
        Value = value;
        ValueIsNull = valueIsNull;
        Headers = headers is { Count: > 0 } ? headers : null;
        int tail = LengthPrefixedSize(key.Length, keyIsNull) + LengthPrefixedSize(value.Length, valueIsNull);
        int count = Headers?.Count ?? 0;
        tail += VarInt.SizeOfVarInt(count);
        for (int i = 0; i < count; i++)
        {
            Header header = Headers![i];
            if (header.Key is null)
            {
                throw new ArgumentException("A record header has a null key; Kafka header keys are never null.", nameof(headers));
            }

            tail = checked(tail + LengthPrefixedSize(Encoding.UTF8.GetByteCount(header.Key), isNull: false) + LengthPrefixedSize(header.Value.Length, isNull: false));
        }

        TailSize = tail;
    }

    public long TimestampMs { get; }

    public ReadOnlySpan<byte> Key { get; }

    public bool KeyIsNull { get; }

    public ReadOnlySpan<byte> Value { get; }

    public bool ValueIsNull { get; }

    public IReadOnlyList<Header>? Headers { get; }

    /// <summary>Encoded bytes from the key length on: key, value, header count and headers.</summary>
    public int TailSize { get; }

    /// <summary>An upper bound of the encoded record, whatever its deltas (Kafka's estimateSizeInBytesUpperBound).</summary>
    public int MaxEncodedSize => TailSize + MaxFramingBytes;

    /// <summary>The exact encoded size at <paramref name="timestampDelta"/> and <paramref name="offsetDelta"/>.</summary>
    public int EncodedSize(long timestampDelta, int offsetDelta)
    {
        int body = BodySize(timestampDelta, offsetDelta);
        return VarInt.SizeOfVarInt(body) + body;
    }

    /// <summary>Writes the record (Kafka record v2 layout) at the start of <paramref name="destination"/>; returns its size.</summary>
    public int Write(Span<byte> destination, long timestampDelta, int offsetDelta)
    {
        int p = VarInt.WriteVarInt(destination, BodySize(timestampDelta, offsetDelta));
        destination[p++] = 0; // record attributes: unused by Kafka
        p += VarInt.WriteVarLong(destination[p..], timestampDelta);
        p += VarInt.WriteVarInt(destination[p..], offsetDelta);
        p += WriteLengthPrefixed(destination[p..], Key, KeyIsNull);
        p += WriteLengthPrefixed(destination[p..], Value, ValueIsNull);
        int count = Headers?.Count ?? 0;
        p += VarInt.WriteVarInt(destination[p..], count);
        for (int i = 0; i < count; i++)
        {
            Header header = Headers![i];
            int keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            p += VarInt.WriteVarInt(destination[p..], keyBytes);
            p += Encoding.UTF8.GetBytes(header.Key, destination[p..]);
            p += WriteLengthPrefixed(destination[p..], header.Value.Span, isNull: false);
        }

        return p;
    }

    private int BodySize(long timestampDelta, int offsetDelta) =>
        1 + VarInt.SizeOfVarLong(timestampDelta) + VarInt.SizeOfVarInt(offsetDelta) + TailSize;

    private static int LengthPrefixedSize(int length, bool isNull) =>
        isNull ? 1 : VarInt.SizeOfVarInt(length) + length;

    private static int WriteLengthPrefixed(Span<byte> destination, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            return VarInt.WriteVarInt(destination, -1);
        }

        int p = VarInt.WriteVarInt(destination, bytes.Length);
        bytes.CopyTo(destination[p..]);
        return p + bytes.Length;
    }
}
