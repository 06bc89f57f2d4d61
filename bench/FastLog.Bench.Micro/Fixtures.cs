using FastLog.Format;

namespace FastLog.Bench.Micro;

/// <summary>Deterministic inputs shared by the benchmarks (built in global setup, never measured).</summary>
internal static class Fixtures
{
    /// <summary>The batch size most benchmarks use: a typical producer batch.size.</summary>
    public const int BatchBytes = 16 * 1024;

    public const long BaseTimestampMs = 1_700_000_000_000;

    /// <summary>Pseudo-random bytes from a fixed seed, so every run hashes the same data.</summary>
    public static byte[] RandomBytes(int length, int seed = 42)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// An uncompressed batch of exactly <paramref name="targetBytes"/> bytes (header included) whose
    /// records carry a null key and a <paramref name="valueBytes"/>-byte value; only the last
    /// record's value is resized so the total lands on the target.
    /// </summary>
    public static byte[] BuildBatch(int targetBytes, int valueBytes)
    {
        using var builder = new RecordBatchBuilder();
        var value = RandomBytes(valueBytes, seed: valueBytes);

        // Count how many full records fit (record sizes vary slightly as offset deltas grow).
        int fullRecords = 0;
        while (true)
        {
            builder.Append(BaseTimestampMs + fullRecords, null, value);
            if (builder.Build().Length > targetBytes)
            {
                break;
            }

            fullRecords++;
        }

        // Rebuild with one record fewer and a last record padded to hit the target exactly.
        int lastValueBytes = valueBytes;
        byte[] batch = [];
        for (int attempt = 0; attempt < 8; attempt++)
        {
            builder.Reset();
            for (int i = 0; i < fullRecords - 1; i++)
            {
                builder.Append(BaseTimestampMs + i, null, value);
            }

            builder.Append(BaseTimestampMs + fullRecords - 1, null, RandomBytes(lastValueBytes, seed: lastValueBytes));
            batch = builder.Build();
            if (batch.Length == targetBytes)
            {
                return batch;
            }

            lastValueBytes += targetBytes - batch.Length;
            if (attempt >= 4 && batch.Length < targetBytes)
            {
                // A varint length boundary can make the exact size unreachable: one byte short is fine.
                lastValueBytes++;
            }
        }

        if (RecordBatchValidator.Validate(batch, int.MaxValue, out _) != RecordBatchError.None)
        {
            throw new InvalidOperationException("fixture batch does not validate");
        }

        return batch;
    }

    /// <summary>A fresh, empty temporary directory for one benchmark's files.</summary>
    public static string CreateTempDirectory(string name)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fastlog-bench-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static void DeleteDirectory(string? path)
    {
        if (path is not null && Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
