namespace FastLog.Client.Producer;

/// <summary>
/// The codec batches are compressed with (<c>compression.type</c>). The values are Kafka's attribute codec ids.
/// </summary>
public enum CompressionType : byte
{
    /// <summary>Uncompressed.</summary>
    None = 0,

    /// <summary>gzip (deflate); smallest output, slowest.</summary>
    Gzip = 1,

    /// <summary>Snappy (one raw block, as librdkafka writes it).</summary>
    Snappy = 2,

    /// <summary>LZ4 frame; the usual choice for throughput.</summary>
    Lz4 = 3,

    /// <summary>Zstandard level 3; needs Produce v7 on the broker.</summary>
    Zstd = 4,
}
