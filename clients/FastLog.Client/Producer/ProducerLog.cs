using FastLog.Protocol;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Producer;

/// <summary>Log events of the producer (event ids 300-399).</summary>
internal static partial class ProducerLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "A delivery handler for {Topic}-{Partition} threw; the other records' reports go on")]
    public static partial void DeliveryHandlerFailed(ILogger logger, string topic, int partition, Exception exception);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Idempotent producer id {ProducerId}, epoch {ProducerEpoch}")]
    public static partial void ProducerIdAssigned(ILogger logger, long producerId, short producerEpoch);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Bumping the producer epoch and restarting sequences: {Reason}")]
    public static partial void EpochBumpRequested(ILogger logger, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "Retrying a batch of {Records} records for {Topic}-{Partition} (attempt {Attempt}) after {Error}")]
    public static partial void RetryingBatch(ILogger logger, int records, string topic, int partition, int attempt, ErrorCode error);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "{Records} records for {Topic}-{Partition} failed: {Error} {Reason}")]
    public static partial void BatchFailed(ILogger logger, int records, string topic, int partition, ErrorCode error, string reason);

    [LoggerMessage(EventId = 305, Level = LogLevel.Debug, Message = "Metadata refresh failed ({Error}); retrying")]
    public static partial void MetadataRefreshFailed(ILogger logger, ErrorCode error);

    [LoggerMessage(EventId = 306, Level = LogLevel.Debug, Message = "No connection to broker {NodeId} yet ({Reason}); its batches wait")]
    public static partial void ConnectionUnavailable(ILogger logger, int nodeId, string reason);

    [LoggerMessage(EventId = 307, Level = LogLevel.Error, Message = "Producer sender loop failed; continuing")]
    public static partial void SenderLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 308, Level = LogLevel.Warning, Message = "InitProducerId failed ({Error}): {Reason}; retrying")]
    public static partial void InitProducerIdFailed(ILogger logger, ErrorCode error, string reason);

    [LoggerMessage(EventId = 309, Level = LogLevel.Debug, Message = "Produce request to broker {NodeId} failed: {Error} {Reason}")]
    public static partial void RequestFailed(ILogger logger, int nodeId, ErrorCode error, string reason);
}
