using System.Collections.Concurrent;
using FastLog.Engine.Log;
using FastLog.Server.Configuration;
using FastLog.Server.Metadata;

namespace FastLog.Server.Broker;

/// <summary>
/// Keeps the broker's partition logs in step with the metadata image: a log for every partition this
/// node leads (opened or created), configs applied when they change, logs deleted with their topic.
/// Called for each published image, in commit order.
/// </summary>
internal sealed class PartitionManager
{
    private readonly LogManager _logs;
    private readonly BrokerConfig _config;
    private readonly ConcurrentDictionary<TopicPartition, PartitionState> _partitions = new();

    public PartitionManager(LogManager logs, BrokerConfig config)
    {
        _logs = logs;
        _config = config;
    }

    public bool TryGet(string topic, int partition, out PartitionState state) =>
        _partitions.TryGetValue(new TopicPartition(topic, partition), out state!);

    public IEnumerable<PartitionState> All => _partitions.Values;

    /// <summary>Brings the logs in line with <paramref name="image"/>.</summary>
    public void Apply(MetadataImage? previous, MetadataImage image)
    {
        // Removals first: a topic deleted and created again under the same name gets a fresh log.
        foreach (var removed in previous?.Topics.Values ?? [])
        {
            if (image.TryGetTopic(removed.Name, out var now) && now.TopicId == removed.TopicId)
            {
                continue;
            }

            for (int p = 0; p < removed.Partitions.Length; p++)
            {
                var tp = new TopicPartition(removed.Name, p);
                if (_partitions.TryRemove(tp, out _))
                {
                    _logs.DeleteLog(tp);
                }
            }
        }

        foreach (var topic in image.Topics.Values)
        {
            var logConfig = TopicConfigDefinitions.ToLogConfig(topic.Configs, _config);
            bool configChanged = previous is null || !previous.TryGetTopic(topic.Name, out var before) || before.TopicId != topic.TopicId || !ReferenceEquals(before.Configs, topic.Configs);
            foreach (var partition in topic.Partitions)
            {
                if (partition is null || partition.Leader != _config.NodeId)
                {
                    continue;
                }

                var tp = new TopicPartition(topic.Name, partition.PartitionId);
                if (_partitions.TryGetValue(tp, out var state))
                {
                    state.LeaderEpoch = partition.LeaderEpoch;
                    if (configChanged)
                    {
                        state.Log.Config = logConfig;
                    }

                    continue;
                }

                var log = _logs.GetOrCreateLog(tp, logConfig);
                log.Config = logConfig;
                _partitions[tp] = new PartitionState(tp, log, partition.LeaderEpoch);
            }
        }
    }

    /// <summary>At start-up: deletes partition logs on disk that no topic in the image owns (a crash during a topic deletion).</summary>
    public void DeleteOrphans(MetadataImage image)
    {
        foreach (var log in _logs.Logs.ToList())
        {
            var tp = log.TopicPartition;
            if (tp == MetadataLog.TopicPartition)
            {
                continue;
            }

            if (!image.TryGetTopic(tp.Topic, out var topic) || tp.Partition >= topic.Partitions.Length)
            {
                _logs.DeleteLog(tp);
            }
        }
    }
}
