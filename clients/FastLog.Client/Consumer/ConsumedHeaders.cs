using System.Collections;
using FastLog.Protocol;

namespace FastLog.Client.Consumer;

/// <summary>
/// The headers of a consumed record, parsed lazily from the record's bytes: a record whose headers are never
/// looked at costs nothing for them. Enumerate with <c>foreach</c> (a struct enumerator, no allocation).
/// Valid as long as the record it came from.
/// </summary>
public readonly struct ConsumedHeaders
{
    private readonly byte[]? _buffer;
    private readonly int _start;
    private readonly int _end;

    internal ConsumedHeaders(byte[] buffer, int start, int end, int count)
    {
        _buffer = buffer;
        _start = start;
        _end = end;
        Count = count;
    }

    /// <summary>Number of headers.</summary>
    public int Count { get; }

    /// <summary>The value of the last header named <paramref name="utf8Key"/> (Kafka's "last wins"), if any.</summary>
    public bool TryGetLastValue(ReadOnlySpan<byte> utf8Key, out ConsumedHeader header)
    {
        header = default;
        bool found = false;
        foreach (ConsumedHeader candidate in this)
        {
            if (candidate.KeyEquals(utf8Key))
            {
                header = candidate;
                found = true;
            }
        }

        return found;
    }

    /// <summary>Copies every header into a list (allocates; for results that outlive the record).</summary>
    public List<KeyValuePair<string, byte[]?>> ToList()
    {
        var list = new List<KeyValuePair<string, byte[]?>>(Count);
        foreach (ConsumedHeader header in this)
        {
            list.Add(new KeyValuePair<string, byte[]?>(header.GetKey(), header.GetValueArray()));
        }

        return list;
    }

    /// <summary>A struct enumerator over the headers.</summary>
    public Enumerator GetEnumerator() => new(_buffer, _start, _end, Count);

    /// <summary>Parses one header per <see cref="MoveNext"/>; corrupt bytes throw <see cref="KafkaException"/>.</summary>
    public struct Enumerator : IEnumerator<ConsumedHeader>
    {
        private readonly byte[]? _buffer;
        private readonly int _end;
        private readonly int _count;
        private int _position;
        private int _index;

        internal Enumerator(byte[]? buffer, int start, int end, int count)
        {
            _buffer = buffer;
            _position = start;
            _end = end;
            _count = count;
            _index = 0;
            Current = default;
        }

        /// <summary>The current header.</summary>
        public ConsumedHeader Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        /// <summary>Advances to the next header.</summary>
        public bool MoveNext()
        {
            if (_index >= _count || _buffer is null)
            {
                return false;
            }

            if (!RecordVarInt.TryRead(_buffer, ref _position, _end, out int keyLength) || keyLength < 0 || keyLength > _end - _position)
            {
                throw Corrupt();
            }

            int keyStart = _position;
            _position += keyLength;
            if (!RecordVarInt.TryRead(_buffer, ref _position, _end, out int valueLength) || valueLength < -1 || valueLength > _end - _position)
            {
                throw Corrupt();
            }

            int valueStart = _position;
            if (valueLength > 0)
            {
                _position += valueLength;
            }

            Current = new ConsumedHeader(_buffer, keyStart, keyLength, valueStart, valueLength);
            _index++;
            return true;
        }

        /// <summary>Not supported: enumerate again with a new enumerator.</summary>
        public readonly void Reset() => throw new NotSupportedException();

        /// <summary>Nothing to release.</summary>
        public readonly void Dispose()
        {
        }

        private static KafkaException Corrupt() =>
            new(ErrorCode.CorruptMessage, "A record's headers are malformed (a length runs past the record).");
    }
}
