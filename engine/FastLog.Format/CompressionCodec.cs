namespace FastLog.Format;

/// <summary>Compression ids stored in attribute bits 0-2. Persisted on disk: never renumber.</summary>
public enum CompressionCodec : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
