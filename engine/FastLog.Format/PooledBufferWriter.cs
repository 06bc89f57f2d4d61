using System.Buffers;

namespace FastLog.Format;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over <see cref="ArrayPool{T}.Shared"/> arrays whose
/// written bytes can be read back (<see cref="WrittenSpan"/>). Used as the scratch buffer for
/// decompressed records and by <see cref="RecordBatchBuilder"/>. Not thread-safe; dispose to
/// return the array to the pool, <see cref="Clear"/> to reuse it.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int DefaultInitialCapacityBytes = 256;

    private byte[] _buffer;
    private int _writtenBytes;

    public PooledBufferWriter(int initialCapacityBytes = DefaultInitialCapacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacityBytes);
        _buffer = initialCapacityBytes == 0 ? [] : ArrayPool<byte>.Shared.Rent(initialCapacityBytes);
    }

    public int WrittenCount => _writtenBytes;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _writtenBytes);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _writtenBytes);

    /// <summary>Forgets the written bytes but keeps the rented array.</summary>
    public void Clear() => _writtenBytes = 0;

    /// <summary>Copies the written bytes into a new array.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _writtenBytes)
        {
            throw new InvalidOperationException("advanced past the end of the buffer");
        }

        _writtenBytes += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsMemory(_writtenBytes);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsSpan(_writtenBytes);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _writtenBytes = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureFree(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _writtenBytes >= needed)
        {
            return;
        }

        // Double to keep appends amortised O(1); never below what was asked for.
        long target = Math.Max((long)_writtenBytes + needed, Math.Max(2L * _buffer.Length, DefaultInitialCapacityBytes));
        int newSize = (int)Math.Min(target, Array.MaxLength);
        if (newSize - _writtenBytes < needed)
        {
            throw new InsufficientMemoryException("buffer would exceed the maximum array length");
        }

        var grown = ArrayPool<byte>.Shared.Rent(newSize);
        WrittenSpan.CopyTo(grown);
        var old = _buffer;
        _buffer = grown;
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }
}
