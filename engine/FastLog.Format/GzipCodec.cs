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

    public static int Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        using var output = new BufferWriterStream(destination);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(source);
        }

        return checked((int)output.Length);
    }
}
