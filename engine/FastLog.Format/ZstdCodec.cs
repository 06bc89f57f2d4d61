using System.Buffers;
using ZstdSharp;

namespace FastLog.Format;

/// <summary>Codec 4: standard zstd frames (Produce v7+ / Fetch v10+).</summary>
internal static class ZstdCodec
{
    // librdkafka and the Java client both default to zstd level 3.
    private const int CompressionLevel = 3;

    public static unsafe int Decompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        // Streaming, not one-shot: the frame's declared content size is optional and untrusted,
        // so output is bounded by what actually comes out.
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var zstd = new DecompressionStream(input);
            return StreamDecoding.CopyBounded(zstd, destination, maxDecompressedBytes, CompressionCodec.Zstd);
        }
    }

    public static int Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        using var compressor = new Compressor(CompressionLevel);
        int bound = Compressor.GetCompressBound(source.Length);
        var span = destination.GetSpan(bound);
        int written = compressor.Wrap(source, span);
        destination.Advance(written);
        return written;
    }
}
