namespace FastLog.Format;

/// <summary>
/// Why a record batch was refused. Each value maps to the Kafka error code a broker answers with
/// (<see cref="RecordBatchErrorExtensions.ToKafkaErrorCode"/>).
/// </summary>
public enum RecordBatchError
{
    None = 0,
    /// <summary>Fewer bytes than the batch header, or than the batch says it holds.</summary>
    Truncated,
    /// <summary>batchLength below the header size or above what any batch may hold.</summary>
    InvalidLength,
    /// <summary>Magic other than 2.</summary>
    UnsupportedMagic,
    /// <summary>CRC-32C over attributes..end does not match.</summary>
    CrcMismatch,
    /// <summary>Record count impossible for the bytes (negative, zero, or disagreeing with lastOffsetDelta).</summary>
    InvalidRecordCount,
    /// <summary>Compression id 5-7.</summary>
    UnsupportedCompression,
    /// <summary>The batch is larger than the topic's max.message.bytes.</summary>
    TooLarge,
    /// <summary>A record inside the batch is malformed (bad varint, length past the end...).</summary>
    InvalidRecord,
}

public static class RecordBatchErrorExtensions
{
    // Kafka's numeric error codes (clients/.../common/protocol/Errors.java).
    private const short CorruptMessage = 2;
    private const short MessageTooLarge = 10;
    private const short UnsupportedForMessageFormat = 43;
    private const short UnsupportedCompressionType = 76;
    private const short InvalidRecordCode = 87;

    /// <summary>The Kafka error code a broker returns for this refusal.</summary>
    public static short ToKafkaErrorCode(this RecordBatchError error) => error switch
    {
        RecordBatchError.None => 0,
        RecordBatchError.Truncated => CorruptMessage,
        RecordBatchError.InvalidLength => CorruptMessage,
        RecordBatchError.CrcMismatch => CorruptMessage,
        RecordBatchError.UnsupportedMagic => UnsupportedForMessageFormat,
        RecordBatchError.InvalidRecordCount => InvalidRecordCode,
        RecordBatchError.UnsupportedCompression => UnsupportedCompressionType,
        RecordBatchError.TooLarge => MessageTooLarge,
        RecordBatchError.InvalidRecord => InvalidRecordCode,
        _ => CorruptMessage,
    };
}
