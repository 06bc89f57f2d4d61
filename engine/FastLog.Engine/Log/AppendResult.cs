using FastLog.Engine.Producers;
using FastLog.Format;

namespace FastLog.Engine.Log;

public enum AppendStatus
{
    Success,
    /// <summary>The batch failed validation; <see cref="AppendResult.BatchError"/> says why. Nothing was written.</summary>
    InvalidBatch,
    /// <summary>The log's directory is offline after an I/O error. Nothing was written.</summary>
    StorageError,
    /// <summary>A retry of a recent idempotent batch: nothing was written; the offsets are the original batch's.</summary>
    Duplicate,
    /// <summary>The producer's sequence or epoch is wrong; <see cref="AppendResult.ProducerCheck"/> says how. Nothing was written.</summary>
    ProducerRejected,
}

/// <summary>The outcome of an append: the offsets the batch received, or why it was refused.</summary>
public readonly record struct AppendResult(AppendStatus Status, RecordBatchError BatchError, long BaseOffset, long LastOffset, ProducerAppendCheck ProducerCheck = ProducerAppendCheck.Accept)
{
    /// <summary>Kafka's KAFKA_STORAGE_ERROR.</summary>
    public const short KafkaStorageErrorCode = 56;

    /// <summary>The batch is in the log: appended now, or earlier when this is a duplicate.</summary>
    public bool IsSuccess => Status is AppendStatus.Success or AppendStatus.Duplicate;

    /// <summary>The exclusive end offset to wait for when the append must be durable.</summary>
    public long EndOffset => LastOffset + 1;

    public short KafkaErrorCode => Status switch
    {
        AppendStatus.Success or AppendStatus.Duplicate => 0,
        AppendStatus.InvalidBatch => BatchError.ToKafkaErrorCode(),
        AppendStatus.ProducerRejected => ProducerCheck switch
        {
            ProducerAppendCheck.OutOfOrderSequence => 45,
            ProducerAppendCheck.InvalidProducerEpoch => 47,
            _ => 59,
        },
        _ => KafkaStorageErrorCode,
    };

    internal static AppendResult Invalid(RecordBatchError error) => new(AppendStatus.InvalidBatch, error, -1, -1);

    internal static AppendResult Offline => new(AppendStatus.StorageError, RecordBatchError.None, -1, -1);

    internal static AppendResult Rejected(ProducerAppendCheck check) => new(AppendStatus.ProducerRejected, RecordBatchError.None, -1, -1, check);
}
