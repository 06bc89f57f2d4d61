using System.Text;

namespace FastLog.Client.Consumer;

/// <summary>
/// One header of a consumed record, viewed in place: the key as UTF-8 bytes (never null in Kafka) and a value
/// that may be null as distinct from empty. Valid as long as the record it came from.
/// </summary>
public readonly struct ConsumedHeader
{
    private readonly byte[] _buffer;
    private readonly int _keyStart;
    private readonly int _keyLength;
    private readonly int _valueStart;
    private readonly int _valueLength;

    internal ConsumedHeader(byte[] buffer, int keyStart, int keyLength, int valueStart, int valueLength)
    {
        _buffer = buffer;
        _keyStart = keyStart;
        _keyLength = keyLength;
        _valueStart = valueStart;
        _valueLength = valueLength;
    }

    /// <summary>The key's UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> Key => new(_buffer, _keyStart, _keyLength);

    /// <summary>The value; empty when <see cref="IsValueNull"/>.</summary>
    public ReadOnlyMemory<byte> Value => _valueLength < 0 ? ReadOnlyMemory<byte>.Empty : new(_buffer, _valueStart, _valueLength);

    /// <summary>True when the value is null.</summary>
    public bool IsValueNull => _valueLength < 0;

    /// <summary>Decodes the key (allocates a string).</summary>
    public string GetKey() => Encoding.UTF8.GetString(_buffer, _keyStart, _keyLength);

    /// <summary>Copies the value into a new array; null when the value is null.</summary>
    public byte[]? GetValueArray() => _valueLength < 0 ? null : Value.ToArray();

    /// <summary>True when the key equals <paramref name="utf8Key"/> byte for byte (no allocation).</summary>
    public bool KeyEquals(ReadOnlySpan<byte> utf8Key) => Key.Span.SequenceEqual(utf8Key);
}
