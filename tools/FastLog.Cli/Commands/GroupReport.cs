using FastLog.Cli.Output;
using FastLog.Client;
using FastLog.Client.Admin;
using FastLog.Protocol;

namespace FastLog.Cli.Commands;

/// <summary>
/// What <c>group describe</c> shows for one group: its members with their assignments, and one row per partition the
/// group is assigned or has committed, with the committed offset, the log end offset and the lag between them
/// (kafka-consumer-groups' columns). Lag is computed here from ListOffsets and OffsetFetch; it is "-" where either
/// is unknown (nothing committed yet, or a topic deleted since).
/// </summary>
internal sealed class GroupReport
{
    private GroupReport(GroupDescription group, List<Row> rows)
    {
        Group = group;
        Rows = rows;
    }

    public GroupDescription Group { get; }

    public IReadOnlyList<Row> Rows { get; }

    public long? TotalLag => Rows.Any(r => r.Lag is not null) ? Rows.Sum(r => r.Lag ?? 0) : null;

    public static async Task<GroupReport> BuildAsync(KafkaAdminClient admin, GroupDescription group, CancellationToken ct)
    {
        IReadOnlyList<CommittedOffset> committed = await admin.ListGroupOffsetsAsync(group.GroupId, cancellationToken: ct);
        var owners = new Dictionary<TopicAndPartition, GroupMemberDescription>();
        foreach (GroupMemberDescription member in group.Members)
        {
            foreach (TopicAndPartition tp in member.Assignment)
            {
                owners[tp] = member;
            }
        }

        Dictionary<TopicAndPartition, long> offsets = committed.Where(c => c.Offset >= 0).ToDictionary(c => c.Partition, c => c.Offset);
        List<TopicAndPartition> partitions = [.. offsets.Keys.Union(owners.Keys).OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)];
        Dictionary<TopicAndPartition, long> ends = await LogEndOffsetsAsync(admin, partitions, ct);
        List<Row> rows = [.. partitions.Select(tp =>
        {
            long? current = offsets.TryGetValue(tp, out long c) ? c : null;
            long? end = ends.TryGetValue(tp, out long e) ? e : null;
            owners.TryGetValue(tp, out GroupMemberDescription? owner);
            return new Row(tp, current, end, current is null || end is null ? null : Math.Max(0, end.Value - current.Value), owner?.MemberId, owner?.ClientId, owner?.ClientHost);
        })];
        return new GroupReport(group, rows);
    }

    public async Task WriteAsync(TextWriter output)
    {
        GroupDescription g = Group;
        await output.WriteLineAsync(
            $"Group: {g.GroupId}  State: {g.State}  Protocol: {(g.Protocol.Length == 0 ? "-" : g.Protocol)}  Coordinator: {g.CoordinatorId}  Members: {g.Members.Count}  Lag: {TotalLag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}");
        if (g.Members.Count > 0)
        {
            await output.WriteLineAsync();
            var members = new TextTable("MEMBER-ID", "CLIENT-ID", "HOST", "ASSIGNMENT");
            foreach (GroupMemberDescription m in g.Members)
            {
                members.Add(m.MemberId, m.ClientId, m.ClientHost, m.Assignment.Count == 0 ? null : Assignment(m.Assignment));
            }

            await members.WriteAsync(output);
        }

        await output.WriteLineAsync();
        var table = new TextTable("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID");
        foreach (Row r in Rows)
        {
            table.Add(r.Partition.Topic, r.Partition.Partition, r.CurrentOffset, r.LogEndOffset, r.Lag, r.MemberId, r.ClientId);
        }

        await table.WriteAsync(output);
    }

    public object ToJson() => new
    {
        Group = Group.GroupId,
        State = Group.State.ToString(),
        Group.ProtocolType,
        Protocol = Group.Protocol,
        Coordinator = Group.CoordinatorId,
        Lag = TotalLag,
        Members = Group.Members.Select(m => new
        {
            m.MemberId,
            m.GroupInstanceId,
            m.ClientId,
            Host = m.ClientHost,
            Assignment = m.Assignment.Select(p => new { p.Topic, p.Partition }),
        }),
        Offsets = Rows.Select(r => new { r.Partition.Topic, r.Partition.Partition, r.CurrentOffset, r.LogEndOffset, r.Lag, r.MemberId, r.ClientId, Host = r.ClientHost }),
    };

    /// <summary><c>orders:0,1 payments:3</c>.</summary>
    private static string Assignment(IReadOnlyList<TopicAndPartition> partitions) =>
        string.Join(' ', partitions.GroupBy(p => p.Topic, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key}:{string.Join(',', g.Select(p => p.Partition).Order())}"));

    /// <summary>Log end offsets topic by topic, so one deleted topic does not hide the others' lag.</summary>
    private static async Task<Dictionary<TopicAndPartition, long>> LogEndOffsetsAsync(KafkaAdminClient admin, List<TopicAndPartition> partitions, CancellationToken ct)
    {
        var ends = new Dictionary<TopicAndPartition, long>();
        foreach (IGrouping<string, TopicAndPartition> topic in partitions.GroupBy(p => p.Topic, StringComparer.Ordinal))
        {
            try
            {
                foreach (ListedOffset end in await admin.ListOffsetsAsync(topic, OffsetSpec.Latest, ct))
                {
                    ends[end.Partition] = end.Offset;
                }
            }
            catch (KafkaException e) when (e.Error == ErrorCode.UnknownTopicOrPartition)
            {
                // Committed offsets can outlive their topic; the row shows "-" for the end and the lag.
            }
        }

        return ends;
    }

    internal sealed record Row(TopicAndPartition Partition, long? CurrentOffset, long? LogEndOffset, long? Lag, string? MemberId, string? ClientId, string? ClientHost);
}
