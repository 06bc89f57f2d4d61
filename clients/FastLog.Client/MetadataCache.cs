using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client;

/// <summary>
/// Cluster metadata fetched on demand: brokers, and for each requested topic its partitions and their leaders.
/// Starts from <c>bootstrap.servers</c>; each <see cref="RefreshAsync"/> sends one Metadata request (the highest
/// version both sides support, at most 12) over a connection it keeps open. Thread-safe; refreshes run one at a time.
/// </summary>
public sealed class MetadataCache : IAsyncDisposable
{
    private readonly IReadOnlyList<BrokerAddress> _bootstrap;
    private readonly KafkaConnectionOptions _options;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private KafkaConnection? _connection;
    private ClusterMetadata _current = ClusterMetadata.Empty;

    /// <summary>Creates a cache; nothing is connected until the first refresh.</summary>
    /// <param name="bootstrapServers">Comma-separated <c>host:port</c> list.</param>
    /// <param name="options">Connection settings (timeouts, client id).</param>
    /// <exception cref="ArgumentException"><paramref name="bootstrapServers"/> is malformed.</exception>
    public MetadataCache(string bootstrapServers, KafkaConnectionOptions? options = null)
    {
        _bootstrap = BrokerAddress.ParseList(bootstrapServers);
        _options = options ?? new KafkaConnectionOptions();
    }

    /// <summary>The bootstrap brokers, in the order they are tried.</summary>
    public IReadOnlyList<BrokerAddress> BootstrapServers => _bootstrap;

    /// <summary>The latest snapshot (<see cref="ClusterMetadata.Empty"/> before the first refresh).</summary>
    public ClusterMetadata Current => Volatile.Read(ref _current);

    /// <summary>
    /// Fetches metadata for <paramref name="topics"/> (null: every topic in the cluster) and merges it into
    /// <see cref="Current"/>: the broker list is replaced, the named topics are replaced, other topics are kept.
    /// </summary>
    /// <param name="topics">Topics to fetch, or null for all.</param>
    /// <param name="allowAutoTopicCreation">Ask the broker to create missing topics (if it is configured to).</param>
    /// <param name="cancellationToken">Cancels the refresh.</param>
    /// <returns>The new snapshot.</returns>
    /// <exception cref="KafkaException">No bootstrap or known broker could be reached, or the request failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ClusterMetadata> RefreshAsync(
        IEnumerable<string>? topics = null,
        bool allowAutoTopicCreation = false,
        CancellationToken cancellationToken = default)
    {
        List<string>? names = topics?.ToList();
        if (names is not null && names.Exists(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Topic names must not be null or empty.", nameof(topics));
        }

        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            MetadataResponse response;
            bool reusing = _connection is { IsConnected: true };
            try
            {
                response = await SendMetadataAsync(names, allowAutoTopicCreation, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (reusing && e.Error == ErrorCode.NetworkException)
            {
                // The kept connection had gone stale; one more try on a fresh one.
                await DropConnectionAsync().ConfigureAwait(false);
                response = await SendMetadataAsync(names, allowAutoTopicCreation, cancellationToken).ConfigureAwait(false);
            }

            ClusterMetadata updated = Merge(Current, response, replaceAllTopics: names is null);
            Volatile.Write(ref _current, updated);
            return updated;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>Closes the connection the cache keeps.</summary>
    public async ValueTask DisposeAsync()
    {
        await DropConnectionAsync().ConfigureAwait(false);
        _refreshLock.Dispose();
    }

    private async Task<MetadataResponse> SendMetadataAsync(List<string>? topics, bool allowAutoTopicCreation, CancellationToken cancellationToken)
    {
        KafkaConnection connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        short version = connection.PickVersion(ApiKey.Metadata, 0, 12);
        var request = new MetadataRequest
        {
            // v0 has no null ("all topics") list: there an empty list means all.
            Topics = topics is null
                ? (version == 0 ? [] : null)
                : topics.ConvertAll(name => new MetadataRequest.MetadataRequestTopic { Name = name }),
            AllowAutoTopicCreation = allowAutoTopicCreation,
        };
        return await connection.SendAsync<MetadataResponse>(request, version, cancellationToken).ConfigureAwait(false);
    }

    private async Task<KafkaConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsConnected: true })
        {
            return _connection;
        }

        await DropConnectionAsync().ConfigureAwait(false);

        // Bootstrap servers first, then brokers learned from earlier responses.
        var candidates = new List<BrokerAddress>(_bootstrap);
        foreach (BrokerNode broker in Current.Brokers.Values)
        {
            if (!candidates.Contains(broker.Address))
            {
                candidates.Add(broker.Address);
            }
        }

        var failures = new List<Exception>();
        foreach (BrokerAddress address in candidates)
        {
            try
            {
                _connection = await KafkaConnection.ConnectAsync(address.Host, address.Port, _options, cancellationToken).ConfigureAwait(false);
                return _connection;
            }
            catch (KafkaException e) when (e.IsRetriable)
            {
                failures.Add(e);
            }
        }

        throw new KafkaException(
            ErrorCode.NetworkException,
            $"Could not reach any broker ({string.Join(", ", candidates)}): {string.Join("; ", failures.Select(f => f.Message))}",
            new AggregateException(failures));
    }

    private async Task DropConnectionAsync()
    {
        KafkaConnection? connection = _connection;
        _connection = null;
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static ClusterMetadata Merge(ClusterMetadata previous, MetadataResponse response, bool replaceAllTopics)
    {
        var brokers = new Dictionary<int, BrokerNode>(response.Brokers.Count);
        foreach (MetadataResponse.MetadataResponseBroker b in response.Brokers)
        {
            brokers[b.NodeId] = new BrokerNode(b.NodeId, b.Host, b.Port, b.Rack);
        }

        var topics = replaceAllTopics
            ? new Dictionary<string, TopicMetadata>(StringComparer.Ordinal)
            : new Dictionary<string, TopicMetadata>(previous.Topics, StringComparer.Ordinal);
        foreach (MetadataResponse.MetadataResponseTopic t in response.Topics)
        {
            if (t.Name is null)
            {
                continue;
            }

            PartitionMetadata[] partitions = t.Partitions
                .Select(p => new PartitionMetadata(
                    p.PartitionIndex,
                    p.LeaderId,
                    p.LeaderEpoch,
                    p.ReplicaNodes.ToArray(),
                    p.IsrNodes.ToArray(),
                    p.OfflineReplicas.ToArray(),
                    (ErrorCode)p.ErrorCode))
                .OrderBy(p => p.Partition)
                .ToArray();
            topics[t.Name] = new TopicMetadata(t.Name, t.TopicId, t.IsInternal, partitions, (ErrorCode)t.ErrorCode);
        }

        return new ClusterMetadata(response.ClusterId, response.ControllerId, brokers, topics);
    }
}
