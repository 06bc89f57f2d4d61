using FastLog.Client.Configuration;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Cluster;

/// <summary>
/// What a producer, consumer or admin client shares about the cluster: the metadata cache, one pipelined
/// connection per broker (opened lazily, replaced when it fails), and coordinator lookup. One connection per broker
/// is enough because <see cref="KafkaConnection"/> pipelines; the Java client also keeps one per node.
/// Thread-safe.
/// </summary>
internal sealed class ClusterConnections : IAsyncDisposable
{
    private readonly KafkaClientOptions _options;
    private readonly KafkaConnectionOptions _connectionOptions;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Task<KafkaConnection>> _byNode = [];
    private readonly HashSet<string> _topicsOfInterest = new(StringComparer.Ordinal);
    private long _lastRefreshTicks;
    private bool _disposed;

    public ClusterConnections(KafkaClientOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _connectionOptions = options.ToConnectionOptions();
        _logger = logger;
        Metadata = new MetadataCache(options.BootstrapServers, _connectionOptions);
    }

    public MetadataCache Metadata { get; }

    public KafkaClientOptions Options => _options;

    /// <summary>True when the metadata is older than <see cref="KafkaClientOptions.MetadataMaxAge"/>.</summary>
    public bool MetadataIsStale =>
        MonotonicClock.NowMs - Volatile.Read(ref _lastRefreshTicks) > (long)_options.MetadataMaxAge.TotalMilliseconds;

    /// <summary>
    /// Refreshes metadata for <paramref name="topics"/> plus every topic asked about before (so one component's
    /// refresh does not drop another's topics from the next periodic refresh).
    /// </summary>
    public Task<ClusterMetadata> RefreshAsync(IEnumerable<string>? topics, CancellationToken cancellationToken) =>
        RefreshAsync(topics, allowAutoTopicCreation: false, cancellationToken);

    /// <summary>
    /// As <see cref="RefreshAsync(IEnumerable{string}?, CancellationToken)"/>, optionally asking the broker to create
    /// missing topics (producers do, as the Java producer's Metadata requests do).
    /// </summary>
    public async Task<ClusterMetadata> RefreshAsync(IEnumerable<string>? topics, bool allowAutoTopicCreation, CancellationToken cancellationToken)
    {
        List<string> names;
        lock (_gate)
        {
            if (topics is not null)
            {
                _topicsOfInterest.UnionWith(topics);
            }

            names = [.. _topicsOfInterest];
        }

        ClusterMetadata metadata = await Metadata.RefreshAsync(names, allowAutoTopicCreation, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastRefreshTicks, MonotonicClock.NowMs);
        return metadata;
    }

    /// <summary>The topic's metadata, fetching it when unknown; null when the broker says it does not exist.</summary>
    public async Task<TopicMetadata?> GetTopicAsync(string topic, CancellationToken cancellationToken)
    {
        if (Metadata.Current.Topics.TryGetValue(topic, out TopicMetadata? known) && known.Error == ErrorCode.None && !MetadataIsStale)
        {
            return known;
        }

        ClusterMetadata metadata = await RefreshAsync([topic], cancellationToken).ConfigureAwait(false);
        return metadata.Topics.TryGetValue(topic, out TopicMetadata? fetched) && fetched.Error != ErrorCode.UnknownTopicOrPartition
            ? fetched
            : null;
    }

    /// <summary>The connection to broker <paramref name="nodeId"/>, connecting (or reconnecting) when needed.</summary>
    /// <exception cref="KafkaException">The node is unknown or unreachable.</exception>
    public async Task<KafkaConnection> GetAsync(int nodeId, CancellationToken cancellationToken)
    {
        Task<KafkaConnection>? existing;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _byNode.TryGetValue(nodeId, out existing);
        }

        if (existing is { IsCompletedSuccessfully: true } && existing.Result.IsConnected)
        {
            return existing.Result;
        }

        if (existing is not null && !existing.IsCompleted)
        {
            return await existing.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        BrokerNode? node = FindNode(nodeId);
        if (node is null)
        {
            await RefreshAsync(null, cancellationToken).ConfigureAwait(false);
            node = FindNode(nodeId) ?? throw new KafkaException(
                ErrorCode.BrokerNotAvailable, $"Broker {nodeId} is not in the cluster metadata.");
        }

        Task<KafkaConnection> connecting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _byNode.TryGetValue(nodeId, out Task<KafkaConnection>? current);
            if (current is not null && current != existing && (!current.IsCompleted || (current.IsCompletedSuccessfully && current.Result.IsConnected)))
            {
                connecting = current;
            }
            else
            {
                connecting = ConnectAsync(node);
                _byNode[nodeId] = connecting;
            }
        }

        if (existing is { IsCompletedSuccessfully: true } && existing != connecting)
        {
            await existing.Result.DisposeAsync().ConfigureAwait(false);
        }

        return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A connection to the leader of <paramref name="topic"/>-<paramref name="partition"/>.</summary>
    /// <exception cref="KafkaException">
    /// The partition has no known leader (<see cref="ErrorCode.LeaderNotAvailable"/>, retriable) or the topic does not
    /// exist (<see cref="ErrorCode.UnknownTopicOrPartition"/>).
    /// </exception>
    public async Task<(KafkaConnection Connection, int LeaderId)> GetLeaderAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        BrokerNode? leader = Metadata.Current.LeaderFor(topic, partition);
        if (leader is null)
        {
            TopicMetadata? metadata = await GetTopicAsync(topic, cancellationToken).ConfigureAwait(false)
                ?? throw new KafkaException(ErrorCode.UnknownTopicOrPartition, $"Topic {topic} does not exist.");
            leader = Metadata.Current.LeaderFor(topic, partition) ?? throw new KafkaException(
                partition < metadata.Partitions.Count ? ErrorCode.LeaderNotAvailable : ErrorCode.UnknownTopicOrPartition,
                $"No leader is known for {topic}-{partition}.");
        }

        return (await GetAsync(leader.NodeId, cancellationToken).ConfigureAwait(false), leader.NodeId);
    }

    /// <summary>A connection to any broker: one already open if there is one, else the first that answers.</summary>
    public async Task<KafkaConnection> GetAnyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (Task<KafkaConnection> task in _byNode.Values)
            {
                if (task.IsCompletedSuccessfully && task.Result.IsConnected)
                {
                    return task.Result;
                }
            }
        }

        ClusterMetadata metadata = Metadata.Current;
        if (metadata.Brokers.Count == 0)
        {
            metadata = await RefreshAsync(null, cancellationToken).ConfigureAwait(false);
        }

        KafkaException? last = null;
        foreach (int nodeId in metadata.Brokers.Keys.Order())
        {
            try
            {
                return await GetAsync(nodeId, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                last = e;
            }
        }

        throw last ?? new KafkaException(ErrorCode.BrokerNotAvailable, "The cluster metadata lists no broker.");
    }

    /// <summary>A connection to the controller (for admin requests), or any broker when none is reported.</summary>
    public async Task<KafkaConnection> GetControllerAsync(CancellationToken cancellationToken)
    {
        ClusterMetadata metadata = Metadata.Current.Brokers.Count == 0 || MetadataIsStale
            ? await RefreshAsync(null, cancellationToken).ConfigureAwait(false)
            : Metadata.Current;
        return metadata.ControllerId >= 0 && metadata.Brokers.ContainsKey(metadata.ControllerId)
            ? await GetAsync(metadata.ControllerId, cancellationToken).ConfigureAwait(false)
            : await GetAnyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks any broker which node coordinates <paramref name="key"/> (a group id for <paramref name="keyType"/> 0, a
    /// transactional id for 1), retrying while the coordinator is loading or unavailable.
    /// </summary>
    /// <exception cref="KafkaException">A non-retriable error, or retriable ones until the request timeout.</exception>
    public async Task<int> FindCoordinatorAsync(string key, sbyte keyType, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        long deadline = MonotonicClock.NowMs + (long)_options.RequestTimeout.TotalMilliseconds;
        while (true)
        {
            ErrorCode error;
            string? message;
            try
            {
                KafkaConnection connection = await GetAnyAsync(cancellationToken).ConfigureAwait(false);
                short version = connection.PickVersion(ApiKey.FindCoordinator, 0, 4);
                var request = new FindCoordinatorRequest { Key = key, KeyType = keyType, CoordinatorKeys = [key] };
                var response = await connection.SendAsync<FindCoordinatorResponse>(request, version, cancellationToken).ConfigureAwait(false);
                int nodeId;
                if (version >= 4)
                {
                    FindCoordinatorResponse.Coordinator? entry = response.Coordinators.Count > 0 ? response.Coordinators[0] : null;
                    error = entry is null ? ErrorCode.CoordinatorNotAvailable : (ErrorCode)entry.ErrorCode;
                    message = entry?.ErrorMessage;
                    nodeId = entry?.NodeId ?? -1;
                    if (entry is not null && error == ErrorCode.None)
                    {
                        RememberNode(entry.NodeId, entry.Host, entry.Port);
                    }
                }
                else
                {
                    error = (ErrorCode)response.ErrorCode;
                    message = response.ErrorMessage;
                    nodeId = response.NodeId;
                    if (error == ErrorCode.None)
                    {
                        RememberNode(response.NodeId, response.Host, response.Port);
                    }
                }

                if (error == ErrorCode.None)
                {
                    return nodeId;
                }
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                error = e.Error;
                message = e.Message;
            }

            if (!KafkaErrors.IsRetriable(error) || MonotonicClock.NowMs >= deadline)
            {
                throw new KafkaException(error, $"Finding the coordinator for '{key}' failed with {error}{(message is null ? "" : ": " + message)}.");
            }

            ClusterLog.CoordinatorRetry(_logger, key, error);
            await Task.Delay(_options.RetryBackoff, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets the connection to <paramref name="nodeId"/> if it is <paramref name="failed"/>, so the next use reconnects.</summary>
    public void Invalidate(int nodeId, KafkaConnection failed)
    {
        lock (_gate)
        {
            if (_byNode.TryGetValue(nodeId, out Task<KafkaConnection>? task) && task.IsCompletedSuccessfully && task.Result == failed)
            {
                _byNode.Remove(nodeId);
            }
        }

        _ = failed.DisposeAsync().AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<KafkaConnection>> connections;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connections = [.. _byNode.Values];
            _byNode.Clear();
        }

        foreach (Task<KafkaConnection> task in connections)
        {
            try
            {
                await (await task.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (KafkaException)
            {
                // It never connected; nothing to close.
            }
        }

        await Metadata.DisposeAsync().ConfigureAwait(false);
    }

    private readonly Dictionary<int, BrokerNode> _extraNodes = [];

    /// <summary>A broker's address from the metadata, or from a FindCoordinator answer that named it first; null when unknown.</summary>
    public BrokerNode? FindNode(int nodeId)
    {
        if (Metadata.Current.Brokers.TryGetValue(nodeId, out BrokerNode? node))
        {
            return node;
        }

        lock (_gate)
        {
            return _extraNodes.GetValueOrDefault(nodeId);
        }
    }

    private void RememberNode(int nodeId, string host, int port)
    {
        // A coordinator may be named before a Metadata refresh lists it.
        lock (_gate)
        {
            _extraNodes[nodeId] = new BrokerNode(nodeId, host, port, null);
        }
    }

    private async Task<KafkaConnection> ConnectAsync(BrokerNode node)
    {
        ClusterLog.Connecting(_logger, node.NodeId, node.Host, node.Port);
        try
        {
            return await KafkaConnection.ConnectAsync(node.Host, node.Port, _connectionOptions, CancellationToken.None).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            ClusterLog.ConnectFailed(_logger, node.NodeId, node.Host, node.Port, e.Message);
            throw;
        }
    }
}
