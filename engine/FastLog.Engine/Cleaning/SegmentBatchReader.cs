using System.Buffers;
using FastLog.Format;
using Microsoft.Win32.SafeHandles;

namespace FastLog.Engine.Cleaning;

/// <summary>
/// Reads the batches of a segment file front to back through one large buffer (a few big reads
/// instead of one per batch). The caller fixes the end (a segment's published size), so bytes
/// appended later are never seen.
/// </summary>
internal sealed class SegmentBatchReader : IDisposable
{
    private const int DefaultBufferBytes = 1024 * 1024;

    private readonly SafeFileHandle _file;
    private readonly long _end;
    private byte[] _buffer;
    private long _bufferFilePosition;
    private int _start;
    private int _filled;

    public SegmentBatchReader(SafeFileHandle file, long endPosition)
    {
        _file = file;
        _end = endPosition;
        _buffer = ArrayPool<byte>.Shared.Rent(DefaultBufferBytes);
    }

    /// <summary>File bytes handed out so far.</summary>
    public long BytesRead => _bufferFilePosition + _start;

    /// <summary>The next whole batch, valid until the next call; false at the end.</summary>
    public bool TryRead(out ReadOnlySpan<byte> batch)
    {
        batch = default;
        if (!Ensure(RecordBatchLayout.LogOverhead))
        {
            return false;
        }

        int size = RecordBatchHeader.PeekSizeInBytes(_buffer.AsSpan(_start, _filled - _start));
        if (size < RecordBatchLayout.HeaderSize || BytesRead + size > _end)
        {
            throw new InvalidDataException($"batch at position {BytesRead} declares an impossible size {size}");
        }

        if (!Ensure(size))
        {
            throw new InvalidDataException($"segment ends inside the batch at position {BytesRead}");
        }

        batch = _buffer.AsSpan(_start, size);
        _start += size;
        return true;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available from <see cref="_start"/>; false when the file ends first.</summary>
    private bool Ensure(int count)
    {
        if (_filled - _start >= count)
        {
            return true;
        }

        if (BytesRead + count > _end)
        {
            return false;
        }

        int remaining = _filled - _start;
        if (count > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(count);
            _buffer.AsSpan(_start, remaining).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        else
        {
            _buffer.AsSpan(_start, remaining).CopyTo(_buffer);
        }

        _bufferFilePosition += _start;
        _start = 0;
        _filled = remaining;
        while (_filled < count)
        {
            int wanted = (int)Math.Min(_buffer.Length - _filled, _end - (_bufferFilePosition + _filled));
            int read = RandomAccess.Read(_file, _buffer.AsSpan(_filled, wanted), _bufferFilePosition + _filled);
            if (read <= 0)
            {
                return false;
            }

            _filled += read;
        }

        return true;
    }
}
