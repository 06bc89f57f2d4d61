using FastLog.Client.Cluster;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Consumer;

/// <summary>
/// The consumer's connection to its group coordinator: found with FindCoordinator, and separate from the
/// per-broker connection the fetcher long-polls on. A broker answers one connection's requests in order, so
/// sharing would put heartbeats and commits behind a 500 ms fetch poll and fetches behind a JoinGroup that lasts
/// a whole rebalance; librdkafka and the Java client keep a separate coordinator connection for the same reason.
/// </summary>
/// <remarks>
/// The connection's own request timeout is raised to cover JoinGroup, which the coordinator may hold for the
/// rebalance timeout (<c>max.poll.interval.ms</c>); every other request passes a shorter per-call timeout.
/// Coordinator errors (NotCoordinator, CoordinatorNotAvailable, a failed connection) make callers call
/// <see cref="MarkUnknown"/>, and the next request rediscovers the coordinator.
/// </remarks>
internal sealed class CoordinatorLink : IAsyncDisposable
{
    private readonly ClusterConnections _cluster;
    private readonly string _groupId;
    private readonly KafkaConnectionOptions _connectionOptions;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private KafkaConnection? _connection;
    private bool _disposed;

    public CoordinatorLink(ClusterConnections cluster, ConsumerOptions options, string groupId, ILogger logger)
    {
        _cluster = cluster;
        _groupId = groupId;
        _logger = logger;
        RequestTimeout = options.RequestTimeout;
        TimeSpan joinTimeout = options.MaxPollInterval + TimeSpan.FromSeconds(5);
        _connectionOptions = options.ToConnectionOptions() with
        {
            RequestTimeout = joinTimeout > options.RequestTimeout ? joinTimeout : options.RequestTimeout,
        };
    }

    public string GroupId => _groupId;

    /// <summary><c>request.timeout.ms</c>: the bound of every request except JoinGroup.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>The coordinator connection, finding and connecting to the coordinator when needed.</summary>
    /// <exception cref="KafkaException">No coordinator could be found or reached (retriable errors included).</exception>
    public async Task<KafkaConnection> GetAsync(CancellationToken cancellationToken)
    {
        KafkaConnection? current = Volatile.Read(ref _connection);
        if (current is { IsConnected: true })
        {
            return current;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            current = _connection;
            if (current is { IsConnected: true })
            {
                return current;
            }

            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            int nodeId = await _cluster.FindCoordinatorAsync(_groupId, 0, cancellationToken).ConfigureAwait(false);
            BrokerNode node = _cluster.FindNode(nodeId)
                ?? throw new KafkaException(ErrorCode.CoordinatorNotAvailable, $"The coordinator of group {_groupId} (node {nodeId}) has no known address.");
            ConsumerLog.CoordinatorFound(_logger, _groupId, nodeId, node.Host, node.Port);
            KafkaConnection connection = await KafkaConnection.ConnectAsync(node.Host, node.Port, _connectionOptions, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>Sends a request with the per-call <see cref="RequestTimeout"/> (or <paramref name="timeout"/>).</summary>
    /// <exception cref="KafkaException">The coordinator is unknown or unreachable, or the request timed out (the coordinator is then forgotten).</exception>
    public async Task<TResponse> SendAsync<TResponse>(
        Func<KafkaConnection, (IKafkaMessage Request, short Version)> build,
        CancellationToken cancellationToken,
        TimeSpan? timeout = null)
        where TResponse : class, IKafkaResponse
    {
        KafkaConnection connection = await GetAsync(cancellationToken).ConfigureAwait(false);
        (IKafkaMessage request, short version) = build(connection);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? RequestTimeout);
        try
        {
            return await connection.SendAsync<TResponse>(request, version, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            MarkUnknown(connection);
            throw new KafkaException(ErrorCode.RequestTimedOut, $"{request.ApiKey} to the coordinator of group {_groupId} got no answer in time.");
        }
        catch (KafkaException e) when (e.Error is ErrorCode.NetworkException or ErrorCode.RequestTimedOut)
        {
            MarkUnknown(connection);
            throw;
        }
    }

    /// <summary>True for the errors that mean "ask FindCoordinator again".</summary>
    public static bool IsCoordinatorError(ErrorCode error) =>
        error is ErrorCode.NotCoordinator or ErrorCode.CoordinatorNotAvailable or ErrorCode.NetworkException or ErrorCode.RequestTimedOut;

    /// <summary>Forgets the coordinator (if it is still <paramref name="failed"/>, or whatever it is when null).</summary>
    public void MarkUnknown(KafkaConnection? failed = null)
    {
        KafkaConnection? current = Volatile.Read(ref _connection);
        if (current is null || (failed is not null && current != failed))
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _connection, null, current) == current)
        {
            ConsumerLog.CoordinatorLost(_logger, _groupId);
            _ = current.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connecting.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_connection is not null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }
        finally
        {
            _connecting.Release();
        }
    }
}
