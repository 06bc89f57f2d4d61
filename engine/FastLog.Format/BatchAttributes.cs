namespace FastLog.Format;

/// <summary>
/// The attribute bits of a RecordBatch v2 (only the low byte is used; Kafka reads
/// <c>(byte) getShort(21)</c>). These values are persisted on disk: never renumber them.
/// </summary>
[Flags]
public enum BatchAttributes : short
{
    None = 0,
    /// <summary>Bits 0-2 hold the <see cref="CompressionCodec"/>.</summary>
    CompressionMask = 0x07,
    /// <summary>Bit 3: LogAppendTime (maxTimestamp is every record's timestamp) instead of CreateTime.</summary>
    LogAppendTime = 0x08,
    /// <summary>Bit 4: part of a transaction.</summary>
    Transactional = 0x10,
    /// <summary>Bit 5: a control batch (transaction markers).</summary>
    Control = 0x20,
    /// <summary>Bit 6: baseTimestamp holds the delete horizon set by compaction.</summary>
    DeleteHorizon = 0x40,
}
