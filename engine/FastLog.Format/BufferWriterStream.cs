using System.Buffers;

namespace FastLog.Format;

/// <summary>
/// A write-only <see cref="Stream"/> appending to an <see cref="IBufferWriter{T}"/>, so stream
/// based encoders (gzip) can write straight into the caller's buffer without a MemoryStream copy.
/// </summary>
internal sealed class BufferWriterStream : Stream
{
    private readonly IBufferWriter<byte> _destination;
    private long _writtenBytes;

    public BufferWriterStream(IBufferWriter<byte> destination) => _destination = destination;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _writtenBytes;

    public override long Position
    {
        get => _writtenBytes;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _destination.Write(buffer);
        _writtenBytes += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);
}
