namespace FastLog.Format;

/// <summary>
/// Byte offsets of the Kafka RecordBatch v2 header ("magic 2"), each defined as the previous
/// field's offset plus its length, so the table cannot drift.
/// </summary>
/// <remarks>
/// <code>
/// offset size field                 notes
///   0     8   baseOffset            stamped by the broker on append (outside the CRC)
///   8     4   batchLength           bytes after this field: total size - 12
///  12     4   partitionLeaderEpoch  stamped by the broker on append (outside the CRC)
///  16     1   magic                 2
///  17     4   crc                   CRC-32C of bytes 21..end
///  21     2   attributes            see <see cref="BatchAttributes"/>
///  23     4   lastOffsetDelta
///  27     8   baseTimestamp
///  35     8   maxTimestamp
///  43     8   producerId            -1 when not idempotent
///  51     2   producerEpoch
///  53     4   baseSequence
///  57     4   recordsCount          stays uncompressed
///  61     …   records               one compressed blob when compression is on
/// </code>
/// All integers are big-endian.
/// </remarks>
public static class RecordBatchLayout
{
    public const int BaseOffsetOffset = 0;
    public const int BaseOffsetLength = 8;
    public const int BatchLengthOffset = BaseOffsetOffset + BaseOffsetLength;
    public const int BatchLengthLength = 4;
    public const int PartitionLeaderEpochOffset = BatchLengthOffset + BatchLengthLength;
    public const int PartitionLeaderEpochLength = 4;
    public const int MagicOffset = PartitionLeaderEpochOffset + PartitionLeaderEpochLength;
    public const int MagicLength = 1;
    public const int CrcOffset = MagicOffset + MagicLength;
    public const int CrcLength = 4;
    public const int AttributesOffset = CrcOffset + CrcLength;
    public const int AttributesLength = 2;
    public const int LastOffsetDeltaOffset = AttributesOffset + AttributesLength;
    public const int LastOffsetDeltaLength = 4;
    public const int BaseTimestampOffset = LastOffsetDeltaOffset + LastOffsetDeltaLength;
    public const int BaseTimestampLength = 8;
    public const int MaxTimestampOffset = BaseTimestampOffset + BaseTimestampLength;
    public const int MaxTimestampLength = 8;
    public const int ProducerIdOffset = MaxTimestampOffset + MaxTimestampLength;
    public const int ProducerIdLength = 8;
    public const int ProducerEpochOffset = ProducerIdOffset + ProducerIdLength;
    public const int ProducerEpochLength = 2;
    public const int BaseSequenceOffset = ProducerEpochOffset + ProducerEpochLength;
    public const int BaseSequenceLength = 4;
    public const int RecordsCountOffset = BaseSequenceOffset + BaseSequenceLength;
    public const int RecordsCountLength = 4;
    public const int RecordsOffset = RecordsCountOffset + RecordsCountLength;

    /// <summary>Bytes before and including batchLength (Kafka's LOG_OVERHEAD): total size = this + batchLength.</summary>
    public const int LogOverhead = BatchLengthOffset + BatchLengthLength;

    /// <summary>Size of the fixed header (Kafka's RECORD_BATCH_OVERHEAD = 61).</summary>
    public const int HeaderSize = RecordsOffset;

    /// <summary>Bytes needed to read the magic byte: enough to learn a batch's size and version.</summary>
    public const int MagicPrefixSize = MagicOffset + MagicLength;

    /// <summary>The only batch format FastLog stores (Kafka 4 writes nothing else).</summary>
    public const byte CurrentMagic = 2;

    /// <summary>Smallest legal record inside a batch: length varint + attributes + 2 deltas + 2 lengths + header count.</summary>
    public const int MinRecordSize = 7;
}
