using FastLog.Protocol;

namespace FastLog.Client;

/// <summary>Classification of Kafka error codes, matching the Java client's retriable exceptions.</summary>
public static class KafkaErrors
{
    /// <summary>True for errors the Java client treats as retriable (transient network, leadership or coordinator states).</summary>
    public static bool IsRetriable(ErrorCode error) => error switch
    {
        ErrorCode.CorruptMessage
            or ErrorCode.UnknownTopicOrPartition
            or ErrorCode.LeaderNotAvailable
            or ErrorCode.NotLeaderOrFollower
            or ErrorCode.RequestTimedOut
            or ErrorCode.ReplicaNotAvailable
            or ErrorCode.NetworkException
            or ErrorCode.CoordinatorLoadInProgress
            or ErrorCode.CoordinatorNotAvailable
            or ErrorCode.NotCoordinator
            or ErrorCode.NotEnoughReplicas
            or ErrorCode.NotEnoughReplicasAfterAppend
            or ErrorCode.NotController
            or ErrorCode.ConcurrentTransactions
            or ErrorCode.KafkaStorageError
            or ErrorCode.FetchSessionIdNotFound
            or ErrorCode.InvalidFetchSessionEpoch
            or ErrorCode.ListenerNotFound
            or ErrorCode.FencedLeaderEpoch
            or ErrorCode.UnknownLeaderEpoch
            or ErrorCode.OffsetNotAvailable
            or ErrorCode.PreferredLeaderNotAvailable
            or ErrorCode.EligibleLeadersNotAvailable
            or ErrorCode.UnstableOffsetCommit
            or ErrorCode.ThrottlingQuotaExceeded
            or ErrorCode.UnknownTopicId
            or ErrorCode.InconsistentTopicId
            or ErrorCode.FetchSessionTopicIdError
            or ErrorCode.OffsetMovedToTieredStorage => true,
        _ => false,
    };
}
