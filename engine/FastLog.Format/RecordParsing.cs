namespace FastLog.Format;

/// <summary>
/// Bounds-checked primitives shared by the record and header readers. Every failure is an
/// <see cref="InvalidRecordBatchException"/> with <see cref="RecordBatchError.InvalidRecord"/>,
/// never an index exception: the bytes come from the network.
/// </summary>
internal static class RecordParsing
{
    /// <summary>
    /// Reads a zig-zag varint length (-1 = null) and the bytes it announces.
    /// Returns the bytes consumed.
    /// </summary>
    public static int ReadNullableBytes(ReadOnlySpan<byte> source, string what, out ReadOnlySpan<byte> bytes, out bool isNull)
    {
        int length = VarInt.ReadVarInt(source, out int prefix);
        if (length == -1)
        {
            bytes = default;
            isNull = true;
            return prefix;
        }

        if (length < 0)
        {
            FormatThrow.InvalidRecord($"negative {what} length {length}");
        }

        if (length > source.Length - prefix)
        {
            FormatThrow.InvalidRecord($"{what} length {length} runs past the end of the record");
        }

        bytes = source.Slice(prefix, length);
        isNull = false;
        return prefix + length;
    }

    /// <summary>Reads one header (key must be non-null). Returns the bytes consumed.</summary>
    public static int ReadHeader(ReadOnlySpan<byte> source, out RecordHeaderView header)
    {
        int used = ReadNullableBytes(source, "header key", out var key, out bool keyIsNull);
        if (keyIsNull)
        {
            FormatThrow.InvalidRecord("null header key");
        }

        used += ReadNullableBytes(source[used..], "header value", out var value, out bool valueIsNull);
        header = new RecordHeaderView(key, value, valueIsNull);
        return used;
    }
}
