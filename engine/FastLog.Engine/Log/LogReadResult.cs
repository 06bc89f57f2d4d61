using FastLog.Engine.Segments;

namespace FastLog.Engine.Log;

public enum ReadStatus
{
    Success,
    /// <summary>The offset is below the log start offset or above the log end offset.</summary>
    OffsetOutOfRange,
    /// <summary>The log's directory is offline after an I/O error.</summary>
    StorageError,
    /// <summary>The log was closed: its topic deleted, or the broker stopping.</summary>
    Closed,
}

/// <summary>
/// What a read returns: a file slice of whole batches (a partial last one allowed) and the log's
/// offsets at the time of the read, which a fetch response reports.
/// </summary>
public readonly record struct LogReadResult(ReadStatus Status, FileSlice Slice, long HighWatermark, long LogStartOffset, long LogEndOffset)
{
    /// <summary>
    /// Kafka's OFFSET_OUT_OF_RANGE, KAFKA_STORAGE_ERROR, and NOT_LEADER_OR_FOLLOWER for a closed log:
    /// what Kafka answers for a partition that has left the broker, which makes clients refresh
    /// their metadata (and learn that the topic is gone) instead of retrying a disk that is fine.
    /// </summary>
    public short KafkaErrorCode => Status switch
    {
        ReadStatus.Success => 0,
        ReadStatus.OffsetOutOfRange => 1,
        ReadStatus.Closed => NotLeaderOrFollowerErrorCode,
        _ => AppendResult.KafkaStorageErrorCode,
    };

    /// <summary>Kafka's NOT_LEADER_OR_FOLLOWER.</summary>
    public const short NotLeaderOrFollowerErrorCode = 6;
}
