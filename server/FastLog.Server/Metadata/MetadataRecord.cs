namespace FastLog.Server.Metadata;

/// <summary>
/// The records of the cluster metadata log, modelled on KRaft's record set (same names, api keys and
/// fields, a subset of them). Metadata is never updated in place: every change is a record appended
/// to <c>__cluster_metadata</c>, and the current state is the replay of all of them
/// (<see cref="MetadataImage"/>). The same log is what a Raft quorum of controllers replicates.
/// </summary>
public abstract record MetadataRecord
{
    /// <summary>KRaft's api key of the record type (part of the on-disk framing).</summary>
    public abstract short RecordApiKey { get; }
}

/// <summary>A topic exists, with this id (api key 2).</summary>
public sealed record TopicRecord(string Name, Guid TopicId) : MetadataRecord
{
    public override short RecordApiKey => 2;
}

/// <summary>A partition of a topic, its replicas and leadership (api key 3).</summary>
public sealed record PartitionRecord(int PartitionId, Guid TopicId, IReadOnlyList<int> Replicas, IReadOnlyList<int> Isr, int Leader, int LeaderEpoch, int PartitionEpoch) : MetadataRecord
{
    public override short RecordApiKey => 3;
}

/// <summary>A config of a topic (resource type 2) or broker (4) set, or removed when Value is null (api key 4).</summary>
public sealed record ConfigRecord(sbyte ResourceType, string ResourceName, string Name, string? Value) : MetadataRecord
{
    public const sbyte TopicResource = 2;
    public const sbyte BrokerResource = 4;

    public override short RecordApiKey => 4;
}

/// <summary>A topic and its partitions are gone (api key 9).</summary>
public sealed record RemoveTopicRecord(Guid TopicId) : MetadataRecord
{
    public override short RecordApiKey => 9;
}

/// <summary>Producer ids below NextProducerId are handed out (api key 15).</summary>
public sealed record ProducerIdsRecord(int BrokerId, long BrokerEpoch, long NextProducerId) : MetadataRecord
{
    public override short RecordApiKey => 15;
}
