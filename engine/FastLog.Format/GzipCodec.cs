using System.Buffers;
using System.IO.Compression;

namespace FastLog.Format;

/// <summary>Codec 1: a plain gzip stream (several concatenated members are accepted).</summary>
internal static class GzipCodec
{
    public static unsafe int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        // Pin the span so the stream decoder can read it in place instead of from a copy.
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            return StreamDecoding.CopyBounded(gzip, destination, maxDecompressedBytes, CompressionCodec.Gzip);
        }
    }

    /// <summary>
    /// A complete gzip member for empty input: header (no name, unknown OS), an empty final fixed-Huffman
    /// block, CRC-32 0 and size 0. GZipStream writes nothing at all when given no
    /// bytes, which no reader accepts as gzip.
    /// </summary>
    private static ReadOnlySpan<byte> EmptyMember =>
        [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    public static int Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        if (source.IsEmpty)
        {
            destination.Write(EmptyMember);
            return EmptyMember.Length;
        }

        using var output = new BufferWriterStream(destination);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(source);
        }

        return checked((int)output.Length);
    }
}
