using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Admin;

/// <summary>Consumer groups: list, describe, delete. Each group's requests go to its coordinator.</summary>
public sealed partial class KafkaAdminClient
{
    private const string ConsumerProtocolType = "consumer";

    /// <summary>Lists the groups of every broker (each broker lists the groups it coordinates), ordered by id.</summary>
    /// <exception cref="KafkaException">A broker could not list its groups.</exception>
    public async Task<IReadOnlyList<GroupListing>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await BrokersAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<IReadOnlyList<GroupListing>> perBroker = await RunAsync<int, IReadOnlyList<GroupListing>>(
            "ListGroups",
            metadata.Brokers.Keys.Order(),
            (pending, ct) => FanOutAsync<int, IReadOnlyList<GroupListing>>(
                pending,
                async (nodeId, ct2) => new AdminTarget(nodeId, await _cluster.GetAsync(nodeId, ct2).ConfigureAwait(false)),
                async (target, nodes, ct2) =>
                {
                    short version = target.Connection.PickVersion(ApiKey.ListGroups, 0, 5);
                    var response = await target.Connection.SendAsync<ListGroupsResponse>(new ListGroupsRequest(), version, ct2).ConfigureAwait(false);
                    var outcome = Outcome<IReadOnlyList<GroupListing>>(response.ErrorCode, $"Broker {target.NodeId}", null, () =>
                        [.. response.Groups.Select(g => new GroupListing(g.GroupId, g.ProtocolType, ParseState(g.GroupState), target.NodeId))]);
                    return new Dictionary<int, ItemOutcome<IReadOnlyList<GroupListing>>> { [target.NodeId] = outcome };
                },
                ct),
            null,
            cancellationToken).ConfigureAwait(false);
        return [.. perBroker.SelectMany(g => g).OrderBy(g => g.GroupId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Describes groups: state, assignor, and each member with its client id, host and assigned partitions (decoded
    /// from the consumer protocol).
    /// </summary>
    /// <returns>The groups in the order given.</returns>
    /// <exception cref="KafkaException">A group does not exist (<see cref="ErrorCode.GroupIdNotFound"/>), or its coordinator refused.</exception>
    public async Task<IReadOnlyList<GroupDescription>> DescribeGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GroupDescription> described = await DescribeGroupsCoreAsync(groupIds, cancellationToken).ConfigureAwait(false);
        List<KafkaException> missing = [.. described
            .Where(g => g.State == GroupState.Dead)
            .Select(g => AdminErrors.For(ErrorCode.GroupIdNotFound, AdminErrors.Group(g.GroupId), null))];
        return missing.Count switch
        {
            0 => described,
            1 => throw missing[0],
            _ => throw new KafkaException(ErrorCode.GroupIdNotFound, string.Join(" ", missing.Select(e => e.Message)), new AggregateException(missing)),
        };
    }

    /// <summary>Deletes empty groups and their committed offsets.</summary>
    /// <exception cref="KafkaException">
    /// A group has members (<see cref="ErrorCode.NonEmptyGroup"/>) or does not exist (<see cref="ErrorCode.GroupIdNotFound"/>).
    /// </exception>
    public async Task DeleteGroupsAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken = default)
    {
        List<string> ids = CheckGroupIds(groupIds);
        await RunAsync<string, bool>(
            "DeleteGroups",
            ids,
            (pending, ct) => FanOutAsync<string, bool>(pending, CoordinatorAsync, async (target, groups, ct2) =>
            {
                short version = target.Connection.PickVersion(ApiKey.DeleteGroups, 0, 2);
                var response = await target.Connection.SendAsync<DeleteGroupsResponse>(new DeleteGroupsRequest { GroupsNames = [.. groups] }, version, ct2).ConfigureAwait(false);
                return response.Results.ToDictionary(r => r.GroupId, r => Outcome(r.ErrorCode, AdminErrors.Group(r.GroupId), null, () => true), StringComparer.Ordinal);
            }, ct),
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DescribeGroups without turning Dead (unknown) groups into errors.</summary>
    private Task<IReadOnlyList<GroupDescription>> DescribeGroupsCoreAsync(IEnumerable<string> groupIds, CancellationToken cancellationToken)
    {
        List<string> ids = CheckGroupIds(groupIds);
        return RunAsync<string, GroupDescription>(
            "DescribeGroups",
            ids,
            (pending, ct) => FanOutAsync<string, GroupDescription>(pending, CoordinatorAsync, async (target, groups, ct2) =>
            {
                short version = target.Connection.PickVersion(ApiKey.DescribeGroups, 0, 5);
                var response = await target.Connection.SendAsync<DescribeGroupsResponse>(new DescribeGroupsRequest { Groups = [.. groups] }, version, ct2).ConfigureAwait(false);
                return response.Groups.ToDictionary(
                    g => g.GroupId,
                    g => Outcome(g.ErrorCode, AdminErrors.Group(g.GroupId), null, () => ToDescription(g, target.NodeId)),
                    StringComparer.Ordinal);
            }, ct),
            null,
            cancellationToken);
    }

    /// <summary>The broker list, fetched when none is known yet.</summary>
    private async Task<ClusterMetadata> BrokersAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ClusterMetadata> metadata = await RunAsync<string, ClusterMetadata>(
            "Metadata",
            ["brokers"],
            async (pending, ct) => new Dictionary<string, ItemOutcome<ClusterMetadata>>
            {
                ["brokers"] = ItemOutcome<ClusterMetadata>.Ok(await _cluster.RefreshAsync(null, ct).ConfigureAwait(false)),
            },
            (_, _) => Task.CompletedTask,
            cancellationToken).ConfigureAwait(false);
        return metadata[0];
    }

    private static GroupDescription ToDescription(DescribeGroupsResponse.DescribedGroup group, int coordinatorId)
    {
        bool consumer = group.ProtocolType == ConsumerProtocolType;
        List<GroupMemberDescription> members = [.. group.Members.Select(m => new GroupMemberDescription(
            m.MemberId,
            m.GroupInstanceId,
            m.ClientId,
            m.ClientHost,
            consumer ? DecodeAssignment(m.MemberAssignment) : []))];
        return new GroupDescription(group.GroupId, ParseState(group.GroupState), group.ProtocolType, group.ProtocolData, members, coordinatorId);
    }

    /// <summary>Empty bytes (the group is rebalancing) and bytes a custom assignor wrote in another shape decode to no partitions.</summary>
    private static IReadOnlyList<TopicAndPartition> DecodeAssignment(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return [];
        }

        try
        {
            return ConsumerProtocolAssignment.Decode(bytes).Partitions;
        }
        catch (ProtocolException)
        {
            return [];
        }
    }

    private static GroupState ParseState(string state) =>
        Enum.TryParse(state, ignoreCase: true, out GroupState parsed) && Enum.IsDefined(parsed) ? parsed : GroupState.Unknown;

    private static List<string> CheckGroupIds(IEnumerable<string> groupIds)
    {
        ArgumentNullException.ThrowIfNull(groupIds);
        List<string> ids = [.. groupIds];
        foreach (string id in ids)
        {
            ArgumentException.ThrowIfNullOrEmpty(id, nameof(groupIds));
        }

        return ids;
    }
}
