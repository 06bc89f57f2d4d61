using System.Buffers;

namespace FastLog.Client.Producer;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one pooled power-of-two array that grows by doubling; the compressed form
/// of a batch is written here. Kept by its batch and reused with it, so compressing allocates nothing once the
/// <see cref="BufferPool"/> has arrays of the right size. Not thread-safe.
/// </summary>
internal sealed class RentedBufferWriter : IBufferWriter<byte>
{
    private readonly BufferPool _pool;
    private byte[] _buffer = [];
    private int _written;

    public RentedBufferWriter(BufferPool pool)
    {
        _pool = pool;
    }

    public int WrittenCount => _written;

    public Memory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Rents a buffer of at least <paramref name="capacityBytes"/> and forgets anything written.</summary>
    public void Start(int capacityBytes)
    {
        Return();
        _buffer = _pool.Rent(PowerOfTwo(capacityBytes));
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
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

    /// <summary>Gives the array back to the pool.</summary>
    public void Return()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        _pool.Return(buffer);
    }

    private static int PowerOfTwo(long bytes) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Clamp(bytes, 256, 1 << 30));

    private void EnsureFree(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        byte[] grown = _pool.Rent(PowerOfTwo(Math.Max((long)_written + needed, 2L * _buffer.Length)));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        _pool.Return(_buffer);
        _buffer = grown;
    }
}
