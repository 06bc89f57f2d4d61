namespace FastLog.Client.Admin;

/// <summary>A topic the broker created (or, with validate-only, would create).</summary>
/// <param name="Name">Topic name.</param>
/// <param name="TopicId">The new topic's id; <see cref="Guid.Empty"/> when validating only or before CreateTopics v7.</param>
/// <param name="NumPartitions">Partition count, or -1 when the broker's CreateTopics version does not report it (before v5).</param>
/// <param name="ReplicationFactor">Replication factor, or -1 when not reported.</param>
/// <param name="Configs">Every config in force for the topic (CreateTopics v5+), empty otherwise.</param>
public sealed record CreatedTopic(string Name, Guid TopicId, int NumPartitions, short ReplicationFactor, IReadOnlyList<ConfigEntry> Configs);
