namespace FastLog.Format;

/// <summary>
/// Iterates the records of an <b>uncompressed</b> records region (the bytes after a batch's
/// header, or their decompressed form) without allocating; usable with <c>foreach</c>.
/// </summary>
/// <remarks>
/// Each <see cref="MoveNext"/> parses and checks one whole record, headers included, so a view
/// handed out is always well-formed: lengths within bounds, only -1 as a negative length, a
/// plausible header count, and a record length equal to the bytes its fields use. With a
/// declared count (from the batch header), fewer records than declared or bytes left after the
/// last one are refused too, as Kafka's own iterator does. Every failure is an
/// <see cref="InvalidRecordBatchException"/> with <see cref="RecordBatchError.InvalidRecord"/>.
/// </remarks>
public ref struct RecordReader
{
    // Smallest record body after its length prefix: attributes, timestampDelta, offsetDelta,
    // keyLength, valueLength, headerCount - one byte each.
    private const int MinRecordBodySize = RecordBatchLayout.MinRecordSize - 1;

    // Smallest header: key length + value length, one byte each.
    private const int MinHeaderSize = 2;

    private readonly ReadOnlySpan<byte> _records;
    private readonly int _declaredCount;
    private readonly long _baseOffset;
    private readonly long _baseTimestamp;
    private readonly bool _fixedTimestamp;
    private int _position;
    private int _index;
    private RecordView _current;

    /// <summary>Reads records until the span ends (no declared count).</summary>
    public RecordReader(ReadOnlySpan<byte> records)
        : this(records, -1, 0, 0, fixedTimestamp: false)
    {
    }

    /// <summary>Reads exactly <paramref name="recordsCount"/> records that must fill the span.</summary>
    public RecordReader(ReadOnlySpan<byte> records, int recordsCount)
        : this(records, recordsCount, 0, 0, fixedTimestamp: false)
    {
    }

    /// <summary>
    /// Reads exactly <paramref name="recordsCount"/> records, reporting absolute offsets and
    /// timestamps relative to the batch's base values.
    /// </summary>
    public RecordReader(ReadOnlySpan<byte> records, int recordsCount, long baseOffset, long baseTimestamp)
        : this(records, recordsCount, baseOffset, baseTimestamp, fixedTimestamp: false)
    {
    }

    /// <param name="fixedTimestamp">LogAppendTime: every record's timestamp is <paramref name="baseTimestamp"/>.</param>
    internal RecordReader(ReadOnlySpan<byte> records, int recordsCount, long baseOffset, long baseTimestamp, bool fixedTimestamp)
    {
        if (recordsCount < -1)
        {
            FormatThrow.InvalidRecord($"negative record count {recordsCount}");
        }

        _records = records;
        _declaredCount = recordsCount;
        _baseOffset = baseOffset;
        _baseTimestamp = baseTimestamp;
        _fixedTimestamp = fixedTimestamp;
        _position = 0;
        _index = 0;
        _current = default;
    }

    public readonly RecordView Current => _current;

    /// <summary>Records returned so far.</summary>
    public readonly int RecordsRead => _index;

    /// <summary>Bytes of the region consumed so far.</summary>
    public readonly int BytesConsumed => _position;

    public readonly RecordReader GetEnumerator() => this;

    public bool MoveNext()
    {
        int remaining = _records.Length - _position;
        if (_declaredCount >= 0 && _index == _declaredCount)
        {
            if (remaining != 0)
            {
                FormatThrow.InvalidRecord($"{remaining} bytes remain after the declared {_declaredCount} records");
            }

            return false;
        }

        if (remaining == 0)
        {
            if (_declaredCount >= 0)
            {
                FormatThrow.InvalidRecord($"batch declares {_declaredCount} records but holds only {_index}");
            }

            return false;
        }

        _current = ReadRecord(_records[_position..]);
        _position += _current.SizeInBytes;
        _index++;
        return true;
    }

    private readonly RecordView ReadRecord(ReadOnlySpan<byte> source)
    {
        int bodyLength = VarInt.ReadVarInt(source, out int prefix);
        if (bodyLength < MinRecordBodySize || bodyLength > source.Length - prefix)
        {
            FormatThrow.InvalidRecord($"record length {bodyLength} impossible with {source.Length - prefix} bytes left");
        }

        var body = source.Slice(prefix, bodyLength);
        byte attributes = body[0];
        int p = 1;
        long timestampDelta = VarInt.ReadVarLong(body[p..], out int n);
        p += n;
        int offsetDelta = VarInt.ReadVarInt(body[p..], out n);
        p += n;
        p += RecordParsing.ReadNullableBytes(body[p..], "key", out var key, out bool keyIsNull);
        p += RecordParsing.ReadNullableBytes(body[p..], "value", out var value, out bool valueIsNull);
        int headerCount = VarInt.ReadVarInt(body[p..], out n);
        p += n;
        if (headerCount < 0 || headerCount > (body.Length - p) / MinHeaderSize)
        {
            FormatThrow.InvalidRecord($"header count {headerCount} impossible with {body.Length - p} bytes left");
        }

        int headersStart = p;
        for (int i = 0; i < headerCount; i++)
        {
            p += RecordParsing.ReadHeader(body[p..], out _);
        }

        if (p != body.Length)
        {
            FormatThrow.InvalidRecord($"record length {bodyLength} disagrees with the {p} bytes its fields use");
        }

        long timestamp = _fixedTimestamp ? _baseTimestamp : _baseTimestamp + timestampDelta;
        return new RecordView(
            attributes,
            timestampDelta,
            offsetDelta,
            _baseOffset + offsetDelta,
            timestamp,
            key,
            keyIsNull,
            value,
            valueIsNull,
            body[headersStart..],
            headerCount,
            prefix + bodyLength);
    }
}
