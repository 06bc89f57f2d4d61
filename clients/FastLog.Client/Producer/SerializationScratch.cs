using System.Buffers;

namespace FastLog.Client.Producer;

/// <summary>
/// Per-thread scratch space keys and values are serialized into before the record is copied into its batch (the key
/// must be serialized before the partition, and so the batch, is known). One growable array per producing thread,
/// reused for every record: serializing allocates nothing once it has grown to the largest record.
/// </summary>
internal sealed class SerializationScratch : IBufferWriter<byte>
{
    [ThreadStatic]
    private static SerializationScratch? t_current;

    private byte[] _buffer = new byte[4096];
    private int _written;

    /// <summary>The calling thread's scratch, emptied.</summary>
    public static SerializationScratch Current
    {
        get
        {
            SerializationScratch scratch = t_current ??= new SerializationScratch();
            scratch._written = 0;
            return scratch;
        }
    }

    public int WrittenCount => _written;

    /// <summary>Bytes written from <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/>.</summary>
    public ReadOnlySpan<byte> Slice(int start, int length) => _buffer.AsSpan(start, length);

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
        {
            throw new InvalidOperationException("A serializer advanced past the space it was given.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void EnsureFree(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        // A plain array (not pooled): it lives as long as the thread and only ever grows to the largest record.
        var grown = new byte[(int)Math.Min(Array.MaxLength, Math.Max((long)_written + needed, 2L * _buffer.Length))];
        _buffer.AsSpan(0, _written).CopyTo(grown);
        _buffer = grown;
    }
}
