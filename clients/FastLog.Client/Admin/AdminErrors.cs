using FastLog.Protocol;

namespace FastLog.Client.Admin;

/// <summary>
/// Turns a Kafka error code about one item (a topic, partition, group or config resource) into a
/// <see cref="KafkaException"/> whose message names the item and says what to do, rather than echoing the code.
/// Also the admin client's notion of "retriable", narrower than <see cref="KafkaErrors.IsRetriable"/>: an admin
/// asking about a topic that does not exist wants to hear so now, not after the retry deadline.
/// </summary>
internal static class AdminErrors
{
    /// <summary>Errors after which the same request may succeed once metadata or the coordinator is looked up again.</summary>
    public static bool IsRetriable(ErrorCode error) => error is ErrorCode.NotController
        or ErrorCode.NotCoordinator
        or ErrorCode.CoordinatorLoadInProgress
        or ErrorCode.CoordinatorNotAvailable
        or ErrorCode.LeaderNotAvailable
        or ErrorCode.NotLeaderOrFollower
        or ErrorCode.ReplicaNotAvailable
        or ErrorCode.BrokerNotAvailable
        or ErrorCode.NetworkException
        or ErrorCode.RequestTimedOut
        or ErrorCode.FencedLeaderEpoch
        or ErrorCode.UnknownLeaderEpoch;

    /// <summary>An exception for <paramref name="error"/> about <paramref name="subject"/> ("Topic 'orders'", "Group 'g'").</summary>
    /// <param name="error">The Kafka error code.</param>
    /// <param name="subject">The item, capitalised, as the message's subject.</param>
    /// <param name="detail">The broker's error message, if any.</param>
    public static KafkaException For(ErrorCode error, string subject, string? detail)
    {
        string d = string.IsNullOrWhiteSpace(detail) ? string.Empty : ": " + detail.TrimEnd('.');
        string message = error switch
        {
            ErrorCode.TopicAlreadyExists => $"{subject} already exists.",
            ErrorCode.UnknownTopicOrPartition or ErrorCode.UnknownTopicId => $"{subject} does not exist.",
            ErrorCode.InvalidTopicException => $"{subject} is not a valid topic name{d}. Use at most 249 letters, digits, '.', '_' and '-'.",
            ErrorCode.InvalidPartitions => $"{subject}: invalid partition count{d}.",
            ErrorCode.InvalidReplicationFactor => $"{subject}: invalid replication factor{d}. It cannot exceed the number of brokers.",
            ErrorCode.InvalidReplicaAssignment => $"{subject}: invalid replica assignment{d}.",
            ErrorCode.InvalidConfig => $"{subject}: invalid config{d}.",
            ErrorCode.TopicDeletionDisabled => $"{subject} cannot be deleted: topic deletion is disabled on the broker (delete.topic.enable=false).",
            ErrorCode.PolicyViolation => $"{subject} was refused by the broker's policy{d}.",
            ErrorCode.TopicAuthorizationFailed or ErrorCode.GroupAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed
                => $"Not authorized: {subject}{d}.",
            ErrorCode.GroupIdNotFound => $"{subject} does not exist.",
            ErrorCode.InvalidGroupId => $"{subject} is not a valid group id.",
            ErrorCode.NonEmptyGroup => $"{subject} is not empty; stop its consumers first.",
            ErrorCode.GroupSubscribedToTopic => $"{subject}: the group's consumers are subscribed to this topic; stop them first.",
            ErrorCode.UnknownMemberId or ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress or ErrorCode.FencedInstanceId
                => $"{subject} has active members; stop its consumers before changing its offsets.",
            ErrorCode.OffsetOutOfRange => $"{subject}: offset out of range{d}. It must lie between the partition's earliest and latest offsets.",
            ErrorCode.OffsetMetadataTooLarge => $"{subject}: the offset metadata is too large{d}.",
            ErrorCode.InvalidRequest => $"{subject}: the broker refused the request{d}.",
            ErrorCode.UnsupportedVersion => $"{subject}: the broker does not support this operation{d}.",
            ErrorCode.RequestTimedOut => $"{subject}: the broker did not answer in time{d}.",
            _ => $"{subject}: {error}{d}.",
        };
        return new KafkaException(error, message);
    }

    /// <summary>The subject phrase for a topic.</summary>
    public static string Topic(string name) => $"Topic '{name}'";

    /// <summary>The subject phrase for a partition.</summary>
    public static string Partition(TopicAndPartition partition) => $"Partition {partition}";

    /// <summary>The subject phrase for a group.</summary>
    public static string Group(string groupId) => $"Group '{groupId}'";

    /// <summary>The subject phrase for a config resource.</summary>
    public static string Resource(ConfigResource resource) => resource.Type == ConfigResourceType.Topic
        ? Topic(resource.Name)
        : char.ToUpperInvariant(resource.ToString()[0]) + resource.ToString()[1..];
}
