using System.Collections.Immutable;

namespace FastLog.Server.Metadata;

/// <summary>
/// The cluster metadata at one point of the metadata log: an immutable value that request handlers
/// read without locks. A change never mutates an image; applying records makes a new one, which
/// the controller publishes atomically.
/// </summary>
public sealed class MetadataImage
{
    public static MetadataImage Empty { get; } = new(ImmutableDictionary<string, TopicImage>.Empty.WithComparers(StringComparer.Ordinal), ImmutableDictionary<Guid, string>.Empty, ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty, 0);

    private MetadataImage(
        ImmutableDictionary<string, TopicImage> topics,
        ImmutableDictionary<Guid, string> topicNamesById,
        ImmutableDictionary<string, ImmutableDictionary<string, string>> pendingTopicConfigs,
        long nextProducerId)
    {
        Topics = topics;
        TopicNamesById = topicNamesById;
        PendingTopicConfigs = pendingTopicConfigs;
        NextProducerId = nextProducerId;
    }

    public ImmutableDictionary<string, TopicImage> Topics { get; }

    public ImmutableDictionary<Guid, string> TopicNamesById { get; }

    /// <summary>The first producer id not yet handed out.</summary>
    public long NextProducerId { get; }

    /// <summary>Config records that arrived before their topic record (KRaft writes topic configs first).</summary>
    private ImmutableDictionary<string, ImmutableDictionary<string, string>> PendingTopicConfigs { get; }

    public bool TryGetTopic(string name, out TopicImage topic) => Topics.TryGetValue(name, out topic!);

    public MetadataImage Apply(IEnumerable<MetadataRecord> records)
    {
        var topics = Topics.ToBuilder();
        var ids = TopicNamesById.ToBuilder();
        var pending = PendingTopicConfigs.ToBuilder();
        long nextProducerId = NextProducerId;
        foreach (var record in records)
        {
            switch (record)
            {
                case TopicRecord topic:
                    var configs = pending.TryGetValue(topic.Name, out var early) ? early : ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
                    pending.Remove(topic.Name);
                    topics[topic.Name] = new TopicImage(topic.Name, topic.TopicId, [], configs);
                    ids[topic.TopicId] = topic.Name;
                    break;
                case PartitionRecord partition:
                    if (ids.TryGetValue(partition.TopicId, out string? owner))
                    {
                        var current = topics[owner];
                        var partitions = current.Partitions.ToBuilder();
                        var image = new PartitionImage(partition.PartitionId, partition.Replicas, partition.Isr, partition.Leader, partition.LeaderEpoch, partition.PartitionEpoch);
                        while (partitions.Count <= partition.PartitionId)
                        {
                            partitions.Add(null!);
                        }

                        partitions[partition.PartitionId] = image;
                        topics[owner] = current with { Partitions = partitions.ToImmutable() };
                    }

                    break;
                case ConfigRecord { ResourceType: ConfigRecord.TopicResource } config:
                    if (topics.TryGetValue(config.ResourceName, out var configured))
                    {
                        topics[config.ResourceName] = configured with { Configs = SetOrRemove(configured.Configs, config) };
                    }
                    else
                    {
                        pending[config.ResourceName] = SetOrRemove(pending.TryGetValue(config.ResourceName, out var p) ? p : ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), config);
                    }

                    break;
                case RemoveTopicRecord remove:
                    if (ids.TryGetValue(remove.TopicId, out string? removed))
                    {
                        topics.Remove(removed);
                        ids.Remove(remove.TopicId);
                    }

                    break;
                case ProducerIdsRecord producerIds:
                    nextProducerId = Math.Max(nextProducerId, producerIds.NextProducerId);
                    break;
            }
        }

        return new MetadataImage(topics.ToImmutable(), ids.ToImmutable(), pending.ToImmutable(), nextProducerId);
    }

    private static ImmutableDictionary<string, string> SetOrRemove(ImmutableDictionary<string, string> configs, ConfigRecord record) =>
        record.Value is null ? configs.Remove(record.Name) : configs.SetItem(record.Name, record.Value);
}
