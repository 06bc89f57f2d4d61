using FastLog.Protocol;
using FastLog.Server.Configuration;

namespace FastLog.Server.Metadata;

/// <summary>
/// The controller of a single-node cluster (a Raft quorum of one voter, "combined mode"): it
/// validates metadata changes against the current image, commits them as records to the metadata
/// log (fsynced), then publishes the new image. Changes are serialized by one lock; readers use
/// <see cref="Image"/> without locking. The multi-node quorum replaces the commit step, not this shape.
/// </summary>
public sealed class MetadataController
{
    /// <summary>Producer ids are reserved in blocks, so the log gets one record per block rather than per id.</summary>
    public const int ProducerIdBlockSize = 1000;

    private readonly object _lock = new();
    private readonly MetadataLog _log;
    private readonly BrokerConfig _broker;
    private MetadataImage _image;
    private long _nextProducerId;

    public MetadataController(MetadataLog log, BrokerConfig broker)
    {
        _log = log;
        _broker = broker;
        _image = MetadataImage.Empty.Apply(log.ReadAll());
        _nextProducerId = _image.NextProducerId;
    }

    public MetadataImage Image => Volatile.Read(ref _image);

    /// <summary>Raised (under the controller lock, in commit order) after every published change.</summary>
    public event Action<MetadataImage, MetadataImage>? ImageChanged;

    public ControllerResult CreateTopic(string name, int partitions, short replicationFactor, IReadOnlyDictionary<string, string?> configs, bool validateOnly)
    {
        if (TopicNames.Validate(name) is { } invalidName)
        {
            return ControllerResult.Fail(ErrorCode.InvalidTopicException, invalidName);
        }

        if (partitions == -1)
        {
            partitions = _broker.NumPartitions;
        }

        if (partitions <= 0)
        {
            return ControllerResult.Fail(ErrorCode.InvalidPartitions, $"number of partitions must be at least 1, not {partitions}");
        }

        if (replicationFactor != -1 && replicationFactor != 1)
        {
            return ControllerResult.Fail(ErrorCode.InvalidReplicationFactor, $"replication factor {replicationFactor} is larger than the 1 available broker");
        }

        foreach (var (key, value) in configs)
        {
            if (TopicConfigDefinitions.Validate(key, value) is { } problem)
            {
                return ControllerResult.Fail(ErrorCode.InvalidConfig, problem);
            }
        }

        lock (_lock)
        {
            if (_image.Topics.ContainsKey(name))
            {
                return ControllerResult.Fail(ErrorCode.TopicAlreadyExists, $"topic '{name}' already exists");
            }

            if (validateOnly)
            {
                return ControllerResult.Ok;
            }

            var topicId = Guid.NewGuid();
            var records = new List<MetadataRecord>();
            foreach (var (key, value) in configs)
            {
                if (value is not null)
                {
                    records.Add(new ConfigRecord(ConfigRecord.TopicResource, name, key, value));
                }
            }

            records.Add(new TopicRecord(name, topicId));
            for (int p = 0; p < partitions; p++)
            {
                records.Add(NewPartition(topicId, p));
            }

            Commit(records);
            return ControllerResult.Ok;
        }
    }

    public ControllerResult DeleteTopic(string name)
    {
        if (!_broker.GetBool("delete.topic.enable"))
        {
            return ControllerResult.Fail(ErrorCode.TopicDeletionDisabled, "delete.topic.enable is false");
        }

        lock (_lock)
        {
            if (!_image.TryGetTopic(name, out var topic))
            {
                return ControllerResult.Fail(ErrorCode.UnknownTopicOrPartition, $"topic '{name}' does not exist");
            }

            Commit([new RemoveTopicRecord(topic.TopicId)]);
            return ControllerResult.Ok;
        }
    }

    public ControllerResult CreatePartitions(string name, int totalCount, bool validateOnly)
    {
        lock (_lock)
        {
            if (!_image.TryGetTopic(name, out var topic))
            {
                return ControllerResult.Fail(ErrorCode.UnknownTopicOrPartition, $"topic '{name}' does not exist");
            }

            int current = topic.Partitions.Length;
            if (totalCount <= current)
            {
                return ControllerResult.Fail(ErrorCode.InvalidPartitions, $"topic '{name}' has {current} partitions; the new count {totalCount} must be larger");
            }

            if (validateOnly)
            {
                return ControllerResult.Ok;
            }

            var records = new List<MetadataRecord>();
            for (int p = current; p < totalCount; p++)
            {
                records.Add(NewPartition(topic.TopicId, p));
            }

            Commit(records);
            return ControllerResult.Ok;
        }
    }

    /// <summary>
    /// Changes topic configs. With <paramref name="replaceAll"/> (legacy AlterConfigs) every override
    /// not listed is removed; otherwise (IncrementalAlterConfigs) only the listed keys change, a null
    /// value deleting the override.
    /// </summary>
    public ControllerResult AlterTopicConfigs(string name, IReadOnlyDictionary<string, string?> changes, bool replaceAll, bool validateOnly)
    {
        foreach (var (key, value) in changes)
        {
            if (TopicConfigDefinitions.Validate(key, value) is { } problem)
            {
                return ControllerResult.Fail(ErrorCode.InvalidConfig, problem);
            }
        }

        lock (_lock)
        {
            if (!_image.TryGetTopic(name, out var topic))
            {
                return ControllerResult.Fail(ErrorCode.UnknownTopicOrPartition, $"topic '{name}' does not exist");
            }

            if (validateOnly)
            {
                return ControllerResult.Ok;
            }

            var records = new List<MetadataRecord>();
            if (replaceAll)
            {
                foreach (string existing in topic.Configs.Keys)
                {
                    if (!changes.ContainsKey(existing))
                    {
                        records.Add(new ConfigRecord(ConfigRecord.TopicResource, name, existing, null));
                    }
                }
            }

            foreach (var (key, value) in changes)
            {
                records.Add(new ConfigRecord(ConfigRecord.TopicResource, name, key, value));
            }

            if (records.Count > 0)
            {
                Commit(records);
            }

            return ControllerResult.Ok;
        }
    }

    /// <summary>A producer id never handed out before, across restarts.</summary>
    public long AllocateProducerId()
    {
        lock (_lock)
        {
            if (_nextProducerId >= _image.NextProducerId)
            {
                Commit([new ProducerIdsRecord(_broker.NodeId, -1, _nextProducerId + ProducerIdBlockSize)]);
            }

            return _nextProducerId++;
        }
    }

    private PartitionRecord NewPartition(Guid topicId, int partition)
    {
        int node = _broker.NodeId;
        return new PartitionRecord(partition, topicId, [node], [node], node, LeaderEpoch: 0, PartitionEpoch: 0);
    }

    private void Commit(List<MetadataRecord> records)
    {
        _log.Commit(records);
        var previous = _image;
        var next = previous.Apply(records);
        Volatile.Write(ref _image, next);
        ImageChanged?.Invoke(previous, next);
    }
}
