namespace FastLog.Client.Consumer.Assignment;

/// <summary>
/// A member's <c>ConsumerProtocolSubscription</c> (the JoinGroup protocol metadata of protocol type "consumer"),
/// as the group leader sees it.
/// </summary>
/// <param name="Topics">Subscribed topics.</param>
/// <param name="UserData">Assignor-specific bytes, or null.</param>
/// <param name="OwnedPartitions">Partitions the member holds now (v1+; what cooperative assignors keep in place).</param>
/// <param name="Generation">The generation the member last synced in (v2+), or -1.</param>
/// <param name="RackId">The member's rack (v3+), or null.</param>
internal sealed record ConsumerSubscription(
    IReadOnlyList<string> Topics,
    byte[]? UserData,
    IReadOnlyList<TopicPartition> OwnedPartitions,
    int Generation,
    string? RackId);
