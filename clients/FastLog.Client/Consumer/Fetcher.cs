using FastLog.Client.Cluster;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Consumer;

/// <summary>
/// Keeps fetches going for the assigned partitions: one <see cref="BrokerFetcher"/> per partition leader, each
/// with its own request loop, plus this dispatcher loop that maps partitions to leaders from the metadata and
/// refreshes the metadata when a leader is unknown or has moved (NotLeaderOrFollower and the like).
/// </summary>
internal sealed class Fetcher : IAsyncDisposable
{
    private static readonly TimeSpan IdleRecheck = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest pause between metadata refreshes while a partition's leader stays unknown.</summary>
    private static readonly TimeSpan MaxRefreshBackoff = TimeSpan.FromSeconds(2);

    private readonly ClusterConnections _cluster;
    private readonly ConsumerOptions _options;
    private readonly SubscriptionState _subscription;
    private readonly FetchBuffer _buffer;
    private readonly ConsumerSignals _signals;
    private readonly ILogger _logger;
    private readonly FailureTracker _metadataFailures;
    private readonly Dictionary<int, BrokerFetcher> _brokers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _dispatcher;
    private ClusterMetadata? _mappedWith;
    private bool _refreshWanted;
    private long _nextRefreshTicks;
    private long _refreshBackoffMs;

    public Fetcher(
        ClusterConnections cluster,
        ConsumerOptions options,
        SubscriptionState subscription,
        FetchBuffer buffer,
        ConsumerSignals signals,
        Action<KafkaException> reportError,
        ILogger logger)
    {
        _cluster = cluster;
        _options = options;
        _subscription = subscription;
        _buffer = buffer;
        _signals = signals;
        _logger = logger;
        ReportError = reportError;
        _metadataFailures = new FailureTracker(options.RequestTimeout, reportError);
        _dispatcher = Task.Run(DispatchLoopAsync, CancellationToken.None);
    }

    public ConsumerOptions Options => _options;

    public SubscriptionState Subscription => _subscription;

    public ClusterConnections Cluster => _cluster;

    public FetchBuffer Buffer => _buffer;

    public ConsumerSignals Signals => _signals;

    public ILogger Logger => _logger;

    public Action<KafkaException> ReportError { get; }

    /// <summary>A leader is unknown or moved: refresh the metadata (rate-limited) and re-map partitions.</summary>
    public void RequestMetadataRefresh()
    {
        Volatile.Write(ref _refreshWanted, true);
        _subscription.FetchWake.Set();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        List<BrokerFetcher> brokers;
        lock (_brokers)
        {
            brokers = [.. _brokers.Values];
        }

        await _dispatcher.ConfigureAwait(false);
        foreach (BrokerFetcher broker in brokers)
        {
            await broker.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task DispatchLoopAsync()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await MapLeadersAsync(stop).ConfigureAwait(false);
                await _subscription.FetchWake.WaitAsync(IdleRecheck, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The dispatcher must outlive any one bad metadata response.
                ConsumerLog.FetcherFailed(_logger, e.Message);
                await Task.Delay(_options.RetryBackoff, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Assigns each partition its leader and makes sure a broker loop runs for every leader in use.</summary>
    private async Task MapLeadersAsync(CancellationToken stop)
    {
        PartitionState[] partitions = _subscription.Partitions;
        bool anyUnknown = partitions.Any(p => !p.Removed && p.LeaderId < 0);
        if ((anyUnknown || Volatile.Read(ref _refreshWanted) || _cluster.MetadataIsStale) && partitions.Length > 0
            && MonotonicClock.NowMs >= _nextRefreshTicks)
        {
            Volatile.Write(ref _refreshWanted, false);

            // Back off while leaders stay unknown (a topic that does not exist yet), up to MaxRefreshBackoff.
            _refreshBackoffMs = anyUnknown
                ? Math.Min(_refreshBackoffMs == 0 ? (long)_options.RetryBackoff.TotalMilliseconds : _refreshBackoffMs * 2, (long)MaxRefreshBackoff.TotalMilliseconds)
                : 0;
            _nextRefreshTicks = MonotonicClock.NowMs + Math.Max(_refreshBackoffMs, (long)_options.RetryBackoff.TotalMilliseconds);
            long started = MonotonicClock.NowMs;
            try
            {
                await _cluster.RefreshAsync(partitions.Select(p => p.Topic).Distinct(StringComparer.Ordinal), stop).ConfigureAwait(false);
                _metadataFailures.Success();
            }
            catch (KafkaException e)
            {
                ConsumerLog.MetadataRefreshFailed(_logger, e.Message);
                _metadataFailures.Failure(e, started);
            }
        }

        ClusterMetadata metadata = _cluster.Metadata.Current;
        var leaders = new HashSet<int>();
        bool leaderFound = false;
        lock (_subscription.Gate)
        {
            foreach (PartitionState state in _subscription.Partitions)
            {
                if (state.Removed)
                {
                    continue;
                }

                if (state.LeaderId < 0 || !ReferenceEquals(metadata, _mappedWith))
                {
                    int before = state.LeaderId;
                    state.LeaderId = metadata.LeaderFor(state.Topic, state.Partition)?.NodeId ?? -1;
                    leaderFound |= before < 0 && state.LeaderId >= 0;
                }

                if (state.LeaderId >= 0)
                {
                    leaders.Add(state.LeaderId);
                }
            }
        }

        _mappedWith = metadata;
        if (leaderFound)
        {
            // Position lookups (ListOffsets) wait for leaders too.
            _subscription.ResolveWake.Set();
        }

        lock (_brokers)
        {
            foreach (int node in leaders)
            {
                if (!_brokers.TryGetValue(node, out BrokerFetcher? broker))
                {
                    _brokers[node] = broker = new BrokerFetcher(this, node, _stop.Token);
                }

                broker.Wake();
            }
        }
    }
}
