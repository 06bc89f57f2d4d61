using FastLog.Format;

namespace FastLog.Engine.Log;

public enum AppendStatus
{
    Success,
    /// <summary>The batch failed validation; <see cref="AppendResult.BatchError"/> says why. Nothing was written.</summary>
    InvalidBatch,
    /// <summary>The log's directory is offline after an I/O error. Nothing was written.</summary>
    StorageError,
}

/// <summary>The outcome of an append: the offsets the batch received, or why it was refused.</summary>
public readonly record struct AppendResult(AppendStatus Status, RecordBatchError BatchError, long BaseOffset, long LastOffset)
{
    /// <summary>Kafka's KAFKA_STORAGE_ERROR.</summary>
    public const short KafkaStorageErrorCode = 56;

    public bool IsSuccess => Status == AppendStatus.Success;

    /// <summary>The exclusive end offset to wait for when the append must be durable.</summary>
    public long EndOffset => LastOffset + 1;

    public short KafkaErrorCode => Status switch
    {
        AppendStatus.Success => 0,
        AppendStatus.InvalidBatch => BatchError.ToKafkaErrorCode(),
        _ => KafkaStorageErrorCode,
    };

    internal static AppendResult Invalid(RecordBatchError error) => new(AppendStatus.InvalidBatch, error, -1, -1);

    internal static AppendResult Offline => new(AppendStatus.StorageError, RecordBatchError.None, -1, -1);
}
