namespace FastLog.Format;

/// <summary>
/// Iterates the headers of one record without allocating (usable with <c>foreach</c>).
/// The header bytes were already checked when the record was read, so the throws below only
/// guard against misuse of a hand-built view.
/// </summary>
public ref struct RecordHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> _headers;
    private readonly int _count;
    private int _index;
    private int _position;
    private RecordHeaderView _current;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> headers, int count)
    {
        _headers = headers;
        _count = count;
        _index = 0;
        _position = 0;
        _current = default;
    }

    /// <summary>Number of headers in the record.</summary>
    public readonly int Count => _count;

    public readonly RecordHeaderView Current => _current;

    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_index >= _count)
        {
            return false;
        }

        _position += RecordParsing.ReadHeader(_headers[_position..], out _current);
        _index++;
        return true;
    }
}
