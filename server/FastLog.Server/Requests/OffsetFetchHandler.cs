using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Coordinator;

namespace FastLog.Server.Requests;

/// <summary>
/// OffsetFetch (key 9), v1-9: one group up to v7 (null topics = all, v2+), several groups from v8.
/// Partitions without a commit answer -1. require_stable (v7) never waits: there are no
/// transactional offsets yet, so nothing is unstable.
/// </summary>
internal sealed class OffsetFetchHandler : IApiHandler
{
    private const short FirstMultiGroupVersion = 8;

    public ApiKey ApiKey => ApiKey.OffsetFetch;

    public short MinVersion => 1;

    public short MaxVersion => 9;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var fetch = (OffsetFetchRequest)request;
        var groups = context.Broker.Groups;
        var response = new OffsetFetchResponse();
        if (context.ApiVersion < FirstMultiGroupVersion)
        {
            var topics = fetch.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
            foreach (var (name, entries) in Group(groups.FetchOffsets(fetch.GroupId, topics)))
            {
                var topic = new OffsetFetchResponse.OffsetFetchResponseTopic { Name = name };
                response.Topics.Add(topic);
                foreach (var e in entries)
                {
                    topic.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = e.Partition,
                        CommittedOffset = e.Offset,
                        CommittedLeaderEpoch = e.LeaderEpoch,
                        Metadata = e.Metadata,
                        ErrorCode = (short)e.Error,
                    });
                }
            }

            return ValueTask.FromResult<IKafkaMessage?>(response);
        }

        foreach (var group in fetch.Groups)
        {
            var topics = group.Topics?.Select(t => (t.Name, (IReadOnlyList<int>)t.PartitionIndexes)).ToList();
            var answer = new OffsetFetchResponse.OffsetFetchResponseGroup { GroupId = group.GroupId };
            response.Groups.Add(answer);
            foreach (var (name, entries) in Group(groups.FetchOffsets(group.GroupId, topics)))
            {
                var topic = new OffsetFetchResponse.OffsetFetchResponseTopics { Name = name };
                answer.Topics.Add(topic);
                foreach (var e in entries)
                {
                    topic.Partitions.Add(new OffsetFetchResponse.OffsetFetchResponsePartitions
                    {
                        PartitionIndex = e.Partition,
                        CommittedOffset = e.Offset,
                        CommittedLeaderEpoch = e.LeaderEpoch,
                        Metadata = e.Metadata,
                        ErrorCode = (short)e.Error,
                    });
                }
            }
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    /// <summary>Groups entries by topic, keeping the order topics first appear in.</summary>
    private static List<(string Topic, List<OffsetFetchEntry> Entries)> Group(IReadOnlyList<OffsetFetchEntry> entries)
    {
        var result = new List<(string, List<OffsetFetchEntry>)>();
        var index = new Dictionary<string, List<OffsetFetchEntry>>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (!index.TryGetValue(e.Topic, out var list))
            {
                list = [];
                index[e.Topic] = list;
                result.Add((e.Topic, list));
            }

            list.Add(e);
        }

        return result;
    }
}
