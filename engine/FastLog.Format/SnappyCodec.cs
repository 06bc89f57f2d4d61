using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace FastLog.Format;

/// <summary>
/// Codec 2. Two framings occur in the wild: the Java client writes snappy-java's "xerial" stream
/// (8-byte magic, int32 version, int32 compatible version, then repeated big-endian int32 length +
/// raw Snappy block), librdkafka writes one raw block. Decoding accepts both, recognising xerial by
/// its magic as librdkafka does; encoding writes one raw block like librdkafka.
/// </summary>
internal static class SnappyCodec
{
    /// <summary>snappy-java's stream magic: 0x82 "SNAPPY" 0x00.</summary>
    public static ReadOnlySpan<byte> XerialMagic => [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00];

    /// <summary>Magic + int32 version + int32 compatible version.</summary>
    public const int XerialHeaderSize = 16;

    private const int XerialBlockLengthSize = 4;

    public static int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        if (source.Length < XerialHeaderSize || !source.StartsWith(XerialMagic))
        {
            return DecompressBlock(source, destination, maxDecompressedBytes);
        }

        // The version fields are not checked: every writer uses 1/1 and the block layout never changed.
        int total = 0;
        int position = XerialHeaderSize;
        while (position < source.Length)
        {
            if (source.Length - position < XerialBlockLengthSize)
            {
                FormatThrow.InvalidRecord("xerial snappy block length truncated");
            }

            int blockLength = BinaryPrimitives.ReadInt32BigEndian(source[position..]);
            position += XerialBlockLengthSize;
            if (blockLength < 0 || blockLength > source.Length - position)
            {
                FormatThrow.InvalidRecord($"xerial snappy block length {blockLength} impossible with {source.Length - position} bytes left");
            }

            total += DecompressBlock(source.Slice(position, blockLength), destination, maxDecompressedBytes - total);
            position += blockLength;
        }

        return total;
    }

    public static int Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var span = destination.GetSpan(Snappy.GetMaxCompressedLength(source.Length));
        int written = Snappy.Compress(source, span);
        destination.Advance(written);
        return written;
    }

    /// <param name="allowanceBytes">Bytes this block may still produce; the block's preamble is checked against it before any output is reserved.</param>
    private static int DecompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> destination, int allowanceBytes)
    {
        int length = Snappy.GetUncompressedLength(block);
        if (length > allowanceBytes)
        {
            FormatThrow.InvalidRecord($"snappy block declares {length} bytes, more than the {allowanceBytes} still allowed");
        }

        var span = destination.GetSpan(length)[..length];
        int written = Snappy.Decompress(block, span);
        if (written != length)
        {
            FormatThrow.InvalidRecord($"snappy block declared {length} bytes but produced {written}");
        }

        destination.Advance(written);
        return written;
    }
}
