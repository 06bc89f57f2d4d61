namespace FastLog.Protocol;

/// <summary>
/// The value of a <c>records</c> field: null, inline bytes, or external bytes the caller sends itself.
/// </summary>
/// <remarks>
/// <para>Record batches are opaque to the protocol layer. Inline bytes read from a frame created over
/// <see cref="ReadOnlyMemory{T}"/> alias that frame (no copy), so they are valid only as long as the frame buffer.</para>
/// <para>External records exist for zero-copy Fetch responses: the field contributes its full length to the
/// message size (so the frame length prefix is right) but a <see cref="KafkaWriter"/> writes only the length
/// prefix and records an <see cref="ExternalRecordsSlot"/> at that output position. The sender then transmits
/// the written bytes up to the slot, the slot's bytes from the file (sendfile), and continues after it.</para>
/// </remarks>
public readonly struct KafkaRecords : IEquatable<KafkaRecords>
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly object? _externalSource;
    private readonly int _externalLengthBytes;
    private readonly RecordsKind _kind;

    private KafkaRecords(RecordsKind kind, ReadOnlyMemory<byte> bytes, int externalLengthBytes, object? externalSource)
    {
        _kind = kind;
        _bytes = bytes;
        _externalLengthBytes = externalLengthBytes;
        _externalSource = externalSource;
    }

    private enum RecordsKind : byte
    {
        Null = 0,
        Inline = 1,
        External = 2,
    }

    /// <summary>The null records value (wire length -1, or compact 0).</summary>
    public static KafkaRecords Null => default;

    public bool IsNull => _kind == RecordsKind.Null;

    public bool IsExternal => _kind == RecordsKind.External;

    /// <summary>Byte length on the wire, excluding the length prefix; 0 for null.</summary>
    public int LengthBytes => _kind switch
    {
        RecordsKind.Inline => _bytes.Length,
        RecordsKind.External => _externalLengthBytes,
        _ => 0,
    };

    /// <summary>Inline bytes. Empty for null; throws for external records, whose bytes live elsewhere.</summary>
    public ReadOnlyMemory<byte> Bytes
    {
        get
        {
            if (_kind == RecordsKind.External)
            {
                ProtocolThrow.ExternalRecordsHaveNoBytes();
            }

            return _bytes;
        }
    }

    /// <summary>Opaque caller token for external records (e.g. a file slice), handed back in the slot.</summary>
    public object? ExternalSource => _externalSource;

    public static KafkaRecords FromBytes(ReadOnlyMemory<byte> bytes) => new(RecordsKind.Inline, bytes, 0, null);

    public static KafkaRecords External(int lengthBytes, object? source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lengthBytes);
        return new KafkaRecords(RecordsKind.External, default, lengthBytes, source);
    }

    public static bool operator ==(KafkaRecords left, KafkaRecords right) => left.Equals(right);

    public static bool operator !=(KafkaRecords left, KafkaRecords right) => !left.Equals(right);

    /// <summary>Content equality for inline bytes; identity of source and length for external records.</summary>
    public bool Equals(KafkaRecords other) =>
        _kind == other._kind && _kind switch
        {
            RecordsKind.Inline => _bytes.Span.SequenceEqual(other._bytes.Span),
            RecordsKind.External => _externalLengthBytes == other._externalLengthBytes
                && ReferenceEquals(_externalSource, other._externalSource),
            _ => true,
        };

    public override bool Equals(object? obj) => obj is KafkaRecords other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_kind, LengthBytes);
}

/// <summary>
/// Where external record bytes belong in a written message: insert <see cref="Records"/>'s
/// <see cref="KafkaRecords.LengthBytes"/> bytes at <see cref="OutputOffset"/> of the writer's output
/// (the offset just after the length prefix).
/// </summary>
public readonly record struct ExternalRecordsSlot(int OutputOffset, KafkaRecords Records);
