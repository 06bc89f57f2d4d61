using System.Buffers;
using System.Buffers.Binary;

namespace FastLog.Protocol;

/// <summary>
/// Framing: every request and response is <c>int32 Size</c> (big-endian, excluding itself) + header + body.
/// </summary>
/// <remarks>
/// The Try methods return false only when more bytes are needed; a size that is negative or above the
/// caller's maximum throws <see cref="ProtocolException"/> before anything is buffered for it.
/// </remarks>
public static class KafkaFrame
{
    public const int SizePrefixBytes = 4;

    /// <summary>Reads the size prefix if at least 4 bytes are available.</summary>
    public static bool TryReadFrameLength(ReadOnlySpan<byte> buffer, int maxFrameBytes, out int frameLengthBytes)
    {
        if (buffer.Length < SizePrefixBytes)
        {
            frameLengthBytes = 0;
            return false;
        }

        frameLengthBytes = BinaryPrimitives.ReadInt32BigEndian(buffer);
        if (frameLengthBytes < 0 || frameLengthBytes > maxFrameBytes)
        {
            ProtocolThrow.FrameTooLarge(frameLengthBytes, maxFrameBytes);
        }

        return true;
    }

    /// <summary>
    /// Slices one complete frame (without its size prefix) off the front of <paramref name="buffer"/>.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out ReadOnlySequence<byte> frame)
    {
        Span<byte> prefix = stackalloc byte[SizePrefixBytes];
        if (buffer.Length < SizePrefixBytes)
        {
            frame = default;
            return false;
        }

        buffer.Slice(0, SizePrefixBytes).CopyTo(prefix);
        if (!TryReadFrameLength(prefix, maxFrameBytes, out int lengthBytes) || buffer.Length - SizePrefixBytes < lengthBytes)
        {
            frame = default;
            return false;
        }

        frame = buffer.Slice(SizePrefixBytes, lengthBytes);
        buffer = buffer.Slice(SizePrefixBytes + lengthBytes);
        return true;
    }

    /// <summary>Writes a complete request frame (size, header, body) at <see cref="RequestHeader.ApiVersion"/>.</summary>
    public static int WriteRequest(IBufferWriter<byte> output, RequestHeader header, IKafkaMessage body)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(body);
        header.ApiKey = body.ApiKey;
        header.HeaderVersion = ApiHeaderVersions.Request(body.ApiKey, header.ApiVersion);
        int frameBytes = header.ComputeSize() + body.ComputeSize(header.ApiVersion);
        Span<byte> span = output.GetSpan(SizePrefixBytes + frameBytes)[..(SizePrefixBytes + frameBytes)];
        var writer = new KafkaWriter(span);
        writer.WriteInt32(frameBytes);
        header.Write(ref writer);
        body.Write(ref writer, header.ApiVersion);
        output.Advance(writer.Position);
        return writer.Position;
    }

    /// <summary>
    /// Writes a response frame. With <paramref name="externalRecords"/>, external records are left out of
    /// the output and listed as slots (offsets from the start of this frame's size prefix); the size prefix
    /// counts them. Returns the number of bytes written to <paramref name="output"/>.
    /// </summary>
    public static int WriteResponse(
        IBufferWriter<byte> output,
        int correlationId,
        short apiVersion,
        IKafkaMessage body,
        List<ExternalRecordsSlot>? externalRecords = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(body);
        var header = new ResponseHeader
        {
            CorrelationId = correlationId,
            HeaderVersion = ApiHeaderVersions.Response(body.ApiKey, apiVersion),
        };
        var bodySize = default(MessageSize);
        body.AddSize(ref bodySize, apiVersion);
        int headerBytes = header.ComputeSize();
        int inlineBytes = SizePrefixBytes + headerBytes + bodySize.InlineBytes;
        Span<byte> span = output.GetSpan(inlineBytes)[..inlineBytes];
        var writer = new KafkaWriter(span, externalRecords, 0);
        writer.WriteInt32(headerBytes + bodySize.TotalBytes);
        header.Write(ref writer);
        body.Write(ref writer, apiVersion);
        output.Advance(writer.Position);
        return writer.Position;
    }
}
