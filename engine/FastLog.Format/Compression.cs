using System.Buffers;

namespace FastLog.Format;

/// <summary>
/// Compresses and decompresses the records region of a batch (everything after recordsCount)
/// for every Kafka codec. Decompression is bounded: input that would inflate past the caller's
/// limit is refused before the memory is spent. Any failure - corrupt input, a bomb, a codec
/// library's own exception - surfaces as <see cref="InvalidRecordBatchException"/> with
/// <see cref="RecordBatchError.InvalidRecord"/> (or <see cref="RecordBatchError.UnsupportedCompression"/>
/// for ids 5-7), so callers handle exactly one exception type.
/// </summary>
public static class Compression
{
    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="destination"/> in the framing
    /// Kafka clients write (raw Snappy block, Kafka-style LZ4 frame). Returns the bytes written.
    /// </summary>
    public static int Compress(CompressionCodec codec, ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        switch (codec)
        {
            case CompressionCodec.None:
                destination.Write(source);
                return source.Length;
            case CompressionCodec.Gzip:
                return GzipCodec.Compress(source, destination);
            case CompressionCodec.Snappy:
                return SnappyCodec.Compress(source, destination);
            case CompressionCodec.Lz4:
                return Lz4FrameCodec.Compress(source, destination);
            case CompressionCodec.Zstd:
                return ZstdCodec.Compress(source, destination);
            default:
                FormatThrow.Invalid(RecordBatchError.UnsupportedCompression, $"unknown compression codec {(int)codec}");
                return 0;
        }
    }

    /// <summary>
    /// Decompresses <paramref name="source"/> into <paramref name="destination"/>, writing at most
    /// <paramref name="maxDecompressedBytes"/> bytes. Returns the bytes written. On failure the
    /// destination may hold a partial result.
    /// </summary>
    public static int Decompress(CompressionCodec codec, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxDecompressedBytes)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDecompressedBytes);
        if (source.IsEmpty && codec is > CompressionCodec.None and <= CompressionCodec.Zstd)
        {
            // Every codec frames even empty input with some bytes; nothing at all is corrupt.
            FormatThrow.InvalidRecord($"empty {codec} compressed records");
        }

        try
        {
            switch (codec)
            {
                case CompressionCodec.None:
                    if (source.Length > maxDecompressedBytes)
                    {
                        FormatThrow.DecompressedTooLarge(codec, maxDecompressedBytes);
                    }

                    destination.Write(source);
                    return source.Length;
                case CompressionCodec.Gzip:
                    return GzipCodec.Decompress(source, destination, maxDecompressedBytes);
                case CompressionCodec.Snappy:
                    return SnappyCodec.Decompress(source, destination, maxDecompressedBytes);
                case CompressionCodec.Lz4:
                    return Lz4FrameCodec.Decompress(source, destination, maxDecompressedBytes);
                case CompressionCodec.Zstd:
                    return ZstdCodec.Decompress(source, destination, maxDecompressedBytes);
                default:
                    FormatThrow.Invalid(RecordBatchError.UnsupportedCompression, $"unknown compression codec {(int)codec}");
                    return 0;
            }
        }
        catch (Exception ex) when (IsCodecFailure(ex))
        {
            // Codec libraries signal corrupt input with their own types (InvalidDataException,
            // ZstdException, ArgumentException for impossible lengths...); none may escape.
            FormatThrow.CorruptCompressed(codec, ex);
            return 0;
        }
    }

    /// <summary>Decompresses into a new array (tests and tools; the broker uses a pooled writer).</summary>
    public static byte[] Decompress(CompressionCodec codec, ReadOnlySpan<byte> source, int maxDecompressedBytes)
    {
        // Guess 4x the input for the first rental, never more than the bound allows (long: no overflow).
        int initialCapacityBytes = (int)Math.Min(Math.Max(source.Length * 4L, 256L), Math.Max(maxDecompressedBytes, 1));
        using var buffer = new PooledBufferWriter(initialCapacityBytes);
        Decompress(codec, source, buffer, maxDecompressedBytes);
        return buffer.ToArray();
    }

    /// <summary>Compresses into a new array (tests and tools).</summary>
    public static byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> source)
    {
        using var buffer = new PooledBufferWriter(source.Length + 64);
        Compress(codec, source, buffer);
        return buffer.ToArray();
    }

    private static bool IsCodecFailure(Exception ex) =>
        ex is not InvalidRecordBatchException and not OutOfMemoryException;
}
