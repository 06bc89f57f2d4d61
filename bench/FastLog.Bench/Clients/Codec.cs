namespace FastLog.Bench.Clients;

/// <summary>The producer's <c>compression.type</c>.</summary>
internal enum Codec
{
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}
