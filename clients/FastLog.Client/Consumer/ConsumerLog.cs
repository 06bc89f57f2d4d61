using FastLog.Protocol;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Consumer;

/// <summary>Log events of the consumer (event ids 400-449).</summary>
internal static partial class ConsumerLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Warning, Message = "Fetcher loop error: {Reason}")]
    public static partial void FetcherFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "Metadata refresh failed: {Reason}")]
    public static partial void MetadataRefreshFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Debug, Message = "Fetch from broker {NodeId} failed: {Reason}")]
    public static partial void FetchFailed(ILogger logger, int nodeId, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Offset {Offset} of {Topic}-{Partition} is out of range; resetting by auto.offset.reset={Reset}")]
    public static partial void OffsetOutOfRange(ILogger logger, string topic, int partition, long offset, AutoOffsetReset reset);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "Fetch of {Topic}-{Partition} failed with {Error}")]
    public static partial void FetchPartitionError(ILogger logger, string topic, int partition, ErrorCode error);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Fetch of {Topic}-{Partition} at {Offset} returned {Bytes} bytes but no whole batch; raise max.partition.fetch.bytes / fetch.max.bytes")]
    public static partial void BatchTooLarge(ILogger logger, string topic, int partition, long offset, int bytes);

    [LoggerMessage(EventId = 406, Level = LogLevel.Debug, Message = "Coordinator of group {GroupId} is broker {NodeId} at {Host}:{Port}")]
    public static partial void CoordinatorFound(ILogger logger, string groupId, int nodeId, string host, int port);

    [LoggerMessage(EventId = 407, Level = LogLevel.Debug, Message = "Coordinator of group {GroupId} lost; it will be looked up again")]
    public static partial void CoordinatorLost(ILogger logger, string groupId);

    [LoggerMessage(EventId = 408, Level = LogLevel.Debug, Message = "Position lookup failed: {Reason}")]
    public static partial void PositionLookupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 409, Level = LogLevel.Debug, Message = "{Topic}-{Partition} starts at {Offset} ({Source})")]
    public static partial void PositionFound(ILogger logger, string topic, int partition, long offset, string source);

    [LoggerMessage(EventId = 410, Level = LogLevel.Debug, Message = "Group {GroupId} committed {Count} offsets: {Offsets}")]
    public static partial void Committed(ILogger logger, string groupId, int count, IEnumerable<TopicPartitionOffset> offsets);

    [LoggerMessage(EventId = 411, Level = LogLevel.Debug, Message = "Group {GroupId}: rejoining because {Reason}")]
    public static partial void RejoinRequested(ILogger logger, string groupId, string reason);

    [LoggerMessage(EventId = 412, Level = LogLevel.Information, Message = "Left group {GroupId} as {MemberId} (generation {Generation}): {Error}, {Reason}")]
    public static partial void LeftGroup(ILogger logger, string groupId, string memberId, int generation, ErrorCode error, string reason);

    [LoggerMessage(EventId = 413, Level = LogLevel.Warning, Message = "Leaving group {GroupId} failed: {Reason}")]
    public static partial void LeaveFailed(ILogger logger, string groupId, string reason);

    [LoggerMessage(EventId = 414, Level = LogLevel.Warning, Message = "Group {GroupId}: the application took no record for more than max.poll.interval.ms={MaxPollMs}; leaving the group so its partitions move on")]
    public static partial void PollTimeout(ILogger logger, string groupId, double maxPollMs);

    [LoggerMessage(EventId = 415, Level = LogLevel.Debug, Message = "Group {GroupId}: {Error}: {Reason}")]
    public static partial void GroupRequestFailed(ILogger logger, string groupId, ErrorCode error, string reason);

    [LoggerMessage(EventId = 416, Level = LogLevel.Information, Message = "Joined group {GroupId} as {MemberId}, generation {Generation}, assignor {Protocol}, leader {IsLeader}; assigned [{Assignment}]")]
    public static partial void Joined(ILogger logger, string groupId, string memberId, int generation, string protocol, bool isLeader, IEnumerable<TopicPartition> assignment);

    [LoggerMessage(EventId = 417, Level = LogLevel.Debug, Message = "Group {GroupId}: {Assignor} assigned {Partitions} partitions to {Members} members")]
    public static partial void AssignmentComputed(ILogger logger, string groupId, string assignor, int members, int partitions);

    [LoggerMessage(EventId = 418, Level = LogLevel.Warning, Message = "Group {GroupId}: automatic commit failed: {Reason}")]
    public static partial void AutoCommitFailed(ILogger logger, string groupId, string reason);

    [LoggerMessage(EventId = 419, Level = LogLevel.Error, Message = "The {Handler} handler threw: {Reason}")]
    public static partial void HandlerFailed(ILogger logger, string handler, string reason);

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "Partitions {Change}: [{Partitions}]")]
    public static partial void PartitionsChanged(ILogger logger, string change, IEnumerable<TopicPartition> partitions);

    [LoggerMessage(EventId = 422, Level = LogLevel.Debug, Message = "Fetch from broker {NodeId} failed: the broker answered {Error}")]
    public static partial void FetchResponseFailed(ILogger logger, int nodeId, ErrorCode error);

    [LoggerMessage(EventId = 423, Level = LogLevel.Debug, Message = "Group {GroupId}: {Request} failed with {Error}")]
    public static partial void JoinStepFailed(ILogger logger, string groupId, string request, ErrorCode error);

    [LoggerMessage(EventId = 424, Level = LogLevel.Debug, Message = "ListOffsets for {Partition} failed with {Error}")]
    public static partial void ListOffsetsFailed(ILogger logger, TopicPartition partition, ErrorCode error);

    [LoggerMessage(EventId = 421, Level = LogLevel.Warning, Message = "Closing the consumer: {Step} failed: {Reason}")]
    public static partial void CloseStepFailed(ILogger logger, string step, string reason);
}
