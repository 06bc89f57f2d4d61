namespace FastLog.Format;

/// <summary>
/// Validates one RecordBatch v2 before it may reach a log: length sanity, magic, record count,
/// compression id, size limit and CRC-32C. Work is proportional to the batch's bytes (one CRC
/// pass), never to its record count: records are not walked and compressed data is not inflated.
/// </summary>
public static class RecordBatchValidator
{
    /// <summary>
    /// Validates the batch at the start of <paramref name="buffer"/>.
    /// </summary>
    /// <param name="buffer">Bytes starting at a batch; may continue past it.</param>
    /// <param name="maxBatchBytes">The size limit (max.message.bytes); larger batches are <see cref="RecordBatchError.TooLarge"/>.</param>
    /// <param name="batchSizeBytes">The batch's whole size when the header could be read, else 0.</param>
    public static RecordBatchError Validate(ReadOnlySpan<byte> buffer, int maxBatchBytes, out int batchSizeBytes)
    {
        batchSizeBytes = 0;
        var error = ValidateHeader(buffer, out int size);
        if (error != RecordBatchError.None)
        {
            return error;
        }

        batchSizeBytes = size;
        if (size > maxBatchBytes)
        {
            return RecordBatchError.TooLarge;
        }

        var batch = buffer[..size];
        var header = new RecordBatchHeader(batch);
        if (RecordBatchHeader.ComputeCrc(batch) != header.Crc)
        {
            return RecordBatchError.CrcMismatch;
        }

        return RecordBatchError.None;
    }

    /// <summary>
    /// Checks everything but the CRC and the size limit: enough bytes, a plausible length, magic 2,
    /// a known codec, and a record count that agrees with lastOffsetDelta and fits the bytes.
    /// Recovery uses this to find where a torn tail begins.
    /// </summary>
    public static RecordBatchError ValidateHeader(ReadOnlySpan<byte> buffer, out int batchSizeBytes)
    {
        batchSizeBytes = 0;
        if (buffer.Length < RecordBatchLayout.HeaderSize)
        {
            return RecordBatchError.Truncated;
        }

        var header = new RecordBatchHeader(buffer);
        int batchLength = header.BatchLength;
        if (batchLength < RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead ||
            batchLength > int.MaxValue - RecordBatchLayout.LogOverhead)
        {
            return RecordBatchError.InvalidLength;
        }

        if (header.Magic != RecordBatchLayout.CurrentMagic)
        {
            return RecordBatchError.UnsupportedMagic;
        }

        int size = RecordBatchLayout.LogOverhead + batchLength;
        if (buffer.Length < size)
        {
            return RecordBatchError.Truncated;
        }

        batchSizeBytes = size;
        if ((int)header.Compression > (int)CompressionCodec.Zstd)
        {
            return RecordBatchError.UnsupportedCompression;
        }

        int count = header.RecordsCount;
        if (count <= 0 || header.LastOffsetDelta != count - 1)
        {
            return RecordBatchError.InvalidRecordCount;
        }

        // An uncompressed batch cannot hold more records than its bytes allow.
        if (header.Compression == CompressionCodec.None &&
            (long)count * RecordBatchLayout.MinRecordSize > size - RecordBatchLayout.HeaderSize)
        {
            return RecordBatchError.InvalidRecordCount;
        }

        return RecordBatchError.None;
    }
    /// <summary>
    /// Deep validation, for tests and for a broker that is asked to check contents: validates the
    /// header, inflates the records (bounded) and walks every record, requiring well-formed records,
    /// exactly recordsCount of them filling the region, and offset deltas 0, 1, 2... as Kafka's
    /// validator does. Costs a full decode: the append hot path does not call this.
    /// </summary>
    /// <param name="batch">A whole batch (may continue past it).</param>
    /// <param name="scratch">Buffer for decompressed records; cleared and reused.</param>
    /// <param name="maxDecompressedBytes">Bound on the inflated records region.</param>
    public static RecordBatchError ValidateRecords(ReadOnlySpan<byte> batch, PooledBufferWriter scratch, int maxDecompressedBytes)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        var error = ValidateHeader(batch, out _);
        if (error != RecordBatchError.None)
        {
            return error;
        }

        try
        {
            var reader = new RecordBatchReader(batch, scratch, maxDecompressedBytes);
            int expectedDelta = 0;
            foreach (var record in reader.GetRecords())
            {
                if (record.OffsetDelta != expectedDelta)
                {
                    return RecordBatchError.InvalidRecord;
                }

                expectedDelta++;
            }

            return RecordBatchError.None;
        }
        catch (InvalidRecordBatchException ex)
        {
            // Off the hot path: the exception carries the precise reason, the caller wants the code.
            return ex.Error;
        }
    }
}
