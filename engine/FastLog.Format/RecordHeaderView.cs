using System.Text;

namespace FastLog.Format;

/// <summary>
/// One record header, viewed in place: a UTF-8 key (never null in Kafka) and a value that may be
/// null (<see cref="IsValueNull"/>) as distinct from empty.
/// </summary>
public readonly ref struct RecordHeaderView
{
    internal RecordHeaderView(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isValueNull)
    {
        Key = key;
        Value = value;
        IsValueNull = isValueNull;
    }

    /// <summary>The header key as UTF-8 bytes.</summary>
    public ReadOnlySpan<byte> Key { get; }

    /// <summary>The header value; empty when <see cref="IsValueNull"/>.</summary>
    public ReadOnlySpan<byte> Value { get; }

    public bool IsValueNull { get; }

    /// <summary>Decodes the key (allocates; for tests and diagnostics, not hot paths).</summary>
    public string GetKeyString() => Encoding.UTF8.GetString(Key);
}
