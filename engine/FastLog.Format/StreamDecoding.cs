using System.Buffers;

namespace FastLog.Format;

/// <summary>Drains a decompressing stream into a buffer writer without ever exceeding a size bound.</summary>
internal static class StreamDecoding
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>
    /// Copies <paramref name="decoder"/> into <paramref name="destination"/>; throws InvalidRecord
    /// as soon as more than <paramref name="maxDecompressedBytes"/> come out, so a bomb costs at
    /// most the bound in memory. Returns the bytes written.
    /// </summary>
    public static int CopyBounded(Stream decoder, IBufferWriter<byte> destination, int maxDecompressedBytes, CompressionCodec codec)
    {
        int total = 0;
        while (true)
        {
            // Ask for one byte beyond the allowance: getting it proves the bound is exceeded.
            int allowance = maxDecompressedBytes - total;
            int want = (int)Math.Min(ChunkBytes, (long)allowance + 1);
            var span = destination.GetSpan(want)[..want];
            int read = decoder.Read(span);
            if (read == 0)
            {
                return total;
            }

            if (read > allowance)
            {
                FormatThrow.DecompressedTooLarge(codec, maxDecompressedBytes);
            }

            destination.Advance(read);
            total += read;
        }
    }
}
