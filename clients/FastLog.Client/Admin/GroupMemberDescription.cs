namespace FastLog.Client.Admin;

/// <summary>One member of a group.</summary>
/// <param name="MemberId">The id the coordinator gave the member.</param>
/// <param name="GroupInstanceId">The static member id (<c>group.instance.id</c>), if any.</param>
/// <param name="ClientId">The member's <c>client.id</c>.</param>
/// <param name="ClientHost">The address the member connects from.</param>
/// <param name="Assignment">
/// The partitions assigned to the member, decoded from the consumer protocol; empty while the group rebalances or
/// when the group does not use the consumer protocol.
/// </param>
public sealed record GroupMemberDescription(
    string MemberId,
    string? GroupInstanceId,
    string ClientId,
    string ClientHost,
    IReadOnlyList<TopicAndPartition> Assignment);
