namespace FastLog.Format;

/// <summary>
/// Gives access to the records of one whole batch that already passed
/// <see cref="RecordBatchValidator.Validate"/>. Compressed batches are inflated once into the
/// caller's <see cref="PooledBufferWriter"/> (cleared first), so a consumer-side loop can reuse one
/// scratch buffer for every batch; uncompressed batches are read in place.
/// </summary>
public readonly ref struct RecordBatchReader
{
    /// <param name="batch">Bytes starting at a batch (may continue past it).</param>
    /// <param name="decompressionBuffer">Scratch for compressed batches; may be null for uncompressed ones.</param>
    /// <param name="maxDecompressedBytes">Bound on the inflated records region (bomb protection).</param>
    public RecordBatchReader(ReadOnlySpan<byte> batch, PooledBufferWriter? decompressionBuffer, int maxDecompressedBytes)
    {
        Header = new RecordBatchHeader(batch);
        int size = Header.SizeInBytes;
        if (size < RecordBatchLayout.HeaderSize || size > batch.Length)
        {
            FormatThrow.Invalid(RecordBatchError.Truncated, $"batch declares {size} bytes but {batch.Length} are available");
        }

        var payload = batch[RecordBatchLayout.RecordsOffset..size];
        var codec = Header.Compression;
        if (codec == CompressionCodec.None)
        {
            RecordsBytes = payload;
            return;
        }

        if (decompressionBuffer is null)
        {
            throw new ArgumentNullException(nameof(decompressionBuffer), $"a {codec} batch needs a decompression buffer");
        }

        decompressionBuffer.Clear();
        Compression.Decompress(codec, payload, decompressionBuffer, maxDecompressedBytes);
        RecordsBytes = decompressionBuffer.WrittenSpan;
    }

    public RecordBatchHeader Header { get; }

    /// <summary>The uncompressed records region.</summary>
    public ReadOnlySpan<byte> RecordsBytes { get; }

    /// <summary>
    /// Iterates the declared number of records with absolute offsets and timestamps (maxTimestamp
    /// for every record of a LogAppendTime batch, as consumers must).
    /// </summary>
    public RecordReader GetRecords()
    {
        bool logAppendTime = Header.IsLogAppendTime;
        return new RecordReader(
            RecordsBytes,
            Header.RecordsCount,
            Header.BaseOffset,
            logAppendTime ? Header.MaxTimestamp : Header.BaseTimestamp,
            logAppendTime);
    }
}
