using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Admin;

/// <summary>Topics: create, delete, describe, list, add partitions.</summary>
public sealed partial class KafkaAdminClient
{
    /// <summary>Creates topics on the controller (or, with <paramref name="validateOnly"/>, only checks that it could).</summary>
    /// <returns>The created topics in the order given, with their ids, partition counts and configs where the broker reports them.</returns>
    /// <exception cref="KafkaException">
    /// A topic could not be created: <see cref="ErrorCode.TopicAlreadyExists"/>, <see cref="ErrorCode.InvalidPartitions"/>,
    /// <see cref="ErrorCode.InvalidReplicationFactor"/>, <see cref="ErrorCode.InvalidConfig"/>,
    /// <see cref="ErrorCode.InvalidTopicException"/>, ...
    /// </exception>
    /// <exception cref="ArgumentException">A topic has no name, or a name is given twice.</exception>
    public async Task<IReadOnlyList<CreatedTopic>> CreateTopicsAsync(
        IEnumerable<NewTopic> topics,
        bool validateOnly = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var byName = new Dictionary<string, NewTopic>(StringComparer.Ordinal);
        foreach (NewTopic topic in topics)
        {
            ArgumentNullException.ThrowIfNull(topic);
            ArgumentException.ThrowIfNullOrEmpty(topic.Name, nameof(topics));
            if (!byName.TryAdd(topic.Name, topic))
            {
                throw new ArgumentException($"Topic '{topic.Name}' is given twice.", nameof(topics));
            }
        }

        return await RunAsync<string, CreatedTopic>(
            "CreateTopics",
            byName.Keys,
            async (names, ct) =>
            {
                AdminTarget controller = await ControllerAsync(ct).ConfigureAwait(false);
                short version = controller.Connection.PickVersion(ApiKey.CreateTopics, 2, 7);
                var request = new CreateTopicsRequest
                {
                    timeoutMs = TimeoutMs,
                    validateOnly = validateOnly,
                    Topics = [.. names.Select(n => ToCreatable(byName[n]))],
                };
                var response = await controller.Connection.SendAsync<CreateTopicsResponse>(request, version, ct).ConfigureAwait(false);
                var outcomes = new Dictionary<string, ItemOutcome<CreatedTopic>>(StringComparer.Ordinal);
                foreach (CreateTopicsResponse.CreatableTopicResult r in response.Topics)
                {
                    outcomes[r.Name] = Outcome(r.ErrorCode, AdminErrors.Topic(r.Name), r.ErrorMessage, () => new CreatedTopic(
                        r.Name,
                        r.TopicId,
                        r.NumPartitions,
                        r.ReplicationFactor,
                        r.Configs is null ? [] : [.. r.Configs.Select(c => new ConfigEntry(c.Name, c.Value, (ConfigSource)c.ConfigSource, c.ReadOnly, c.IsSensitive, []))]));
                }

                return outcomes;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes topics and all their records.</summary>
    /// <exception cref="KafkaException">
    /// A topic could not be deleted: <see cref="ErrorCode.UnknownTopicOrPartition"/>, <see cref="ErrorCode.TopicDeletionDisabled"/>, ...
    /// </exception>
    public async Task DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        List<string> names = [.. topics];
        foreach (string name in names)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(topics));
        }

        await RunAsync<string, bool>(
            "DeleteTopics",
            names,
            async (pending, ct) =>
            {
                AdminTarget controller = await ControllerAsync(ct).ConfigureAwait(false);
                short version = controller.Connection.PickVersion(ApiKey.DeleteTopics, 1, 6);
                var request = new DeleteTopicsRequest { TimeoutMs = TimeoutMs };
                if (version >= 6)
                {
                    request.Topics = [.. pending.Select(n => new DeleteTopicsRequest.DeleteTopicState { Name = n })];
                }
                else
                {
                    request.TopicNames = [.. pending];
                }

                var response = await controller.Connection.SendAsync<DeleteTopicsResponse>(request, version, ct).ConfigureAwait(false);
                var outcomes = new Dictionary<string, ItemOutcome<bool>>(StringComparer.Ordinal);
                foreach (DeleteTopicsResponse.DeletableTopicResult r in response.Responses)
                {
                    if (r.Name is not null)
                    {
                        outcomes[r.Name] = Outcome(r.ErrorCode, AdminErrors.Topic(r.Name), r.ErrorMessage, () => true);
                    }
                }

                return outcomes;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Describes topics from fresh metadata: id, internal flag, and each partition's leader, replicas and in-sync replicas.</summary>
    /// <returns>The topics in the order given.</returns>
    /// <exception cref="KafkaException">A topic does not exist (<see cref="ErrorCode.UnknownTopicOrPartition"/>).</exception>
    public Task<IReadOnlyList<TopicMetadata>> DescribeTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topics);
        List<string> names = [.. topics];
        foreach (string name in names)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(topics));
        }

        return RunAsync<string, TopicMetadata>(
            "DescribeTopics",
            names,
            async (pending, ct) =>
            {
                // The cache's own request, not ClusterConnections.RefreshAsync: topics described once need not be
                // refreshed for the rest of the client's life.
                ClusterMetadata metadata = await _cluster.Metadata.RefreshAsync(pending, allowAutoTopicCreation: false, ct).ConfigureAwait(false);
                var outcomes = new Dictionary<string, ItemOutcome<TopicMetadata>>(StringComparer.Ordinal);
                foreach (string name in pending)
                {
                    if (metadata.Topics.TryGetValue(name, out TopicMetadata? topic))
                    {
                        outcomes[name] = topic.Error == ErrorCode.None
                            ? ItemOutcome<TopicMetadata>.Ok(topic)
                            : ItemOutcome<TopicMetadata>.Failed(AdminErrors.For(topic.Error, AdminErrors.Topic(name), null));
                    }
                }

                return outcomes;
            },
            null,
            cancellationToken);
    }

    /// <summary>Lists the cluster's topics with their partitions, ordered by name.</summary>
    /// <param name="includeInternal">Also list internal topics such as <c>__consumer_offsets</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<TopicMetadata>> ListTopicsAsync(bool includeInternal = false, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<IReadOnlyList<TopicMetadata>> listed = await RunAsync<string, IReadOnlyList<TopicMetadata>>(
            "ListTopics",
            ["*"],
            async (pending, ct) =>
            {
                ClusterMetadata metadata = await _cluster.Metadata.RefreshAsync(null, allowAutoTopicCreation: false, ct).ConfigureAwait(false);
                List<TopicMetadata> topics = [.. metadata.Topics.Values
                    .Where(t => includeInternal || !t.IsInternal)
                    .OrderBy(t => t.Name, StringComparer.Ordinal)];
                return new Dictionary<string, ItemOutcome<IReadOnlyList<TopicMetadata>>> { ["*"] = ItemOutcome<IReadOnlyList<TopicMetadata>>.Ok(topics) };
            },
            null,
            cancellationToken).ConfigureAwait(false);
        return listed[0];
    }

    /// <summary>Raises topics' partition counts (or, with <paramref name="validateOnly"/>, only checks that it could).</summary>
    /// <exception cref="KafkaException">
    /// A topic does not exist (<see cref="ErrorCode.UnknownTopicOrPartition"/>) or the new count is not larger
    /// (<see cref="ErrorCode.InvalidPartitions"/>).
    /// </exception>
    /// <exception cref="ArgumentException">A topic is given twice.</exception>
    public async Task CreatePartitionsAsync(IEnumerable<NewPartitions> partitions, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var byTopic = new Dictionary<string, NewPartitions>(StringComparer.Ordinal);
        foreach (NewPartitions p in partitions)
        {
            ArgumentNullException.ThrowIfNull(p);
            ArgumentException.ThrowIfNullOrEmpty(p.Topic, nameof(partitions));
            if (!byTopic.TryAdd(p.Topic, p))
            {
                throw new ArgumentException($"Topic '{p.Topic}' is given twice.", nameof(partitions));
            }
        }

        await RunAsync<string, bool>(
            "CreatePartitions",
            byTopic.Keys,
            async (pending, ct) =>
            {
                AdminTarget controller = await ControllerAsync(ct).ConfigureAwait(false);
                short version = controller.Connection.PickVersion(ApiKey.CreatePartitions, 0, 3);
                var request = new CreatePartitionsRequest
                {
                    TimeoutMs = TimeoutMs,
                    ValidateOnly = validateOnly,
                    Topics = [.. pending.Select(t => new CreatePartitionsRequest.CreatePartitionsTopic { Name = t, Count = byTopic[t].TotalCount, Assignments = null })],
                };
                var response = await controller.Connection.SendAsync<CreatePartitionsResponse>(request, version, ct).ConfigureAwait(false);
                var outcomes = new Dictionary<string, ItemOutcome<bool>>(StringComparer.Ordinal);
                foreach (CreatePartitionsResponse.CreatePartitionsTopicResult r in response.Results)
                {
                    outcomes[r.Name] = Outcome(r.ErrorCode, AdminErrors.Topic(r.Name), r.ErrorMessage, () => true);
                }

                return outcomes;
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    private static CreateTopicsRequest.CreatableTopic ToCreatable(NewTopic topic) => new()
    {
        Name = topic.Name,
        NumPartitions = topic.NumPartitions,
        ReplicationFactor = topic.ReplicationFactor,
        Configs = [.. topic.Configs.Select(kv => new CreateTopicsRequest.CreatableTopicConfig { Name = kv.Key, Value = kv.Value })],
    };
}
