using System.Collections.Concurrent;
using FastLog.Client.Cluster;
using FastLog.Client.Serialization;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Consumer;

/// <summary>
/// A Kafka consumer: reads records of subscribed topics as a member of a consumer group (classic protocol, with
/// client-side <c>range</c>, <c>roundrobin</c> or <c>cooperative-sticky</c> assignment, interoperating with Java
/// and librdkafka members), or of manually assigned partitions.
/// </summary>
/// <remarks>
/// <para>Reading: <see cref="ReadAllAsync"/> yields <see cref="ConsumedRecord"/> views straight over the fetched
/// bytes (no allocation per record; valid until the next record), <see cref="ConsumeAsync(CancellationToken)"/>
/// returns one deserialized, self-contained <see cref="ConsumeResult{TKey, TValue}"/>.</para>
/// <para>Work happens in background loops — one fetch loop per partition leader (prefetching the next response
/// while the current one is read), position lookups, group membership — and reaches the reading thread through
/// <see cref="ConsumerSignals"/>. Rebalance steps and the <see cref="PartitionsAssigned"/>,
/// <see cref="PartitionsRevoked"/> and <see cref="PartitionsLost"/> handlers run on the reading thread, inside a
/// consume call, as in the Java client: keep reading for the group to make progress.</para>
/// <para>Not thread-safe: one thread reads and calls the other methods; <see cref="DisposeAsync"/> may come from
/// another thread and ends a read in progress.</para>
/// </remarks>
/// <typeparam name="TKey">Key type of <see cref="ConsumeResult{TKey, TValue}"/>.</typeparam>
/// <typeparam name="TValue">Value type of <see cref="ConsumeResult{TKey, TValue}"/>.</typeparam>
public sealed partial class KafkaConsumer<TKey, TValue> : IAsyncDisposable
{
    private readonly ConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly ClusterConnections _cluster;
    private readonly SubscriptionState _subscription = new();
    private readonly ConsumerSignals _signals = new();
    private readonly FetchBuffer _buffer;
    private readonly Fetcher _fetcher;
    private readonly PositionResolver _resolver;
    private readonly RecordStream _stream;
    private readonly CoordinatorLink? _coordinator;
    private readonly OffsetCommitter? _committer;
    private readonly ConcurrentQueue<GroupAction> _actions = new();
    private readonly ITimer? _autoCommitTimer;
    private readonly Lock _closeGate = new();
    private GroupMembership? _membership;
    private KafkaException? _pendingError;
    private volatile bool _autoCommitDue;
    private Task _autoCommit = Task.CompletedTask;
    private int _reading;
    private int _closed;
    private Task? _closing;

    /// <summary>Creates a consumer; nothing is connected until the first subscription or assignment is read.</summary>
    /// <param name="options">Settings; validated here.</param>
    /// <param name="keyDeserializer">Key deserializer; null for the built-in one of <typeparamref name="TKey"/>.</param>
    /// <param name="valueDeserializer">Value deserializer; null for the built-in one of <typeparamref name="TValue"/>.</param>
    /// <exception cref="ArgumentException">A setting is invalid, or a type has no built-in deserializer.</exception>
    public KafkaConsumer(ConsumerOptions options, IDeserializer<TKey>? keyDeserializer = null, IDeserializer<TValue>? valueDeserializer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        KeyDeserializer = keyDeserializer ?? Deserializers.Default<TKey>()
            ?? throw new ArgumentException($"There is no built-in deserializer for {typeof(TKey).Name}; pass one.", nameof(keyDeserializer));
        ValueDeserializer = valueDeserializer ?? Deserializers.Default<TValue>()
            ?? throw new ArgumentException($"There is no built-in deserializer for {typeof(TValue).Name}; pass one.", nameof(valueDeserializer));
        _logger = options.LoggerFactory.CreateLogger("FastLog.Client.Consumer.KafkaConsumer");
        _cluster = new ClusterConnections(options, _logger);
        _buffer = new FetchBuffer(_signals);
        _fetcher = new Fetcher(_cluster, options, _subscription, _buffer, _signals, ReportError, _logger);
        if (options.GroupId is not null)
        {
            _coordinator = new CoordinatorLink(_cluster, options, options.GroupId, _logger);
            _committer = new OffsetCommitter(_coordinator, options, _logger);
            if (options.EnableAutoCommit)
            {
                _autoCommitTimer = TimeProvider.System.CreateTimer(
                    static state => ((KafkaConsumer<TKey, TValue>)state!).AutoCommitTick(), this, options.AutoCommitInterval, options.AutoCommitInterval);
            }
        }

        _resolver = new PositionResolver(_fetcher, _coordinator);
        _stream = new RecordStream(
            _buffer,
            _signals,
            ProcessSignalsAsync,
            options.CheckCrcs,
            options.IsolationLevel == IsolationLevel.ReadCommitted,
            RefetchAfterCorruption);
    }

    /// <summary>Creates a consumer from Kafka consumer properties (<c>bootstrap.servers</c>, <c>group.id</c>, ...).</summary>
    /// <exception cref="ArgumentException">A key is unknown or a value invalid.</exception>
    public KafkaConsumer(IEnumerable<KeyValuePair<string, string>> config, IDeserializer<TKey>? keyDeserializer = null, IDeserializer<TValue>? valueDeserializer = null)
        : this(ConsumerOptions.FromConfig(config), keyDeserializer, valueDeserializer)
    {
    }

    /// <summary>Raised on the reading thread after partitions were assigned (before any of their records is read).</summary>
    public event EventHandler<PartitionsEventArgs>? PartitionsAssigned;

    /// <summary>
    /// Raised on the reading thread when partitions are taken away in a rebalance or on close, after their
    /// positions were committed (with auto-commit) and before they stop being read: commit here when committing
    /// manually.
    /// </summary>
    public event EventHandler<PartitionsEventArgs>? PartitionsRevoked;

    /// <summary>
    /// Raised on the reading thread when partitions were lost: the member fell out of the group's generation, so
    /// another member may already own them and committing is no longer possible.
    /// </summary>
    public event EventHandler<PartitionsEventArgs>? PartitionsLost;

    /// <summary>The settings.</summary>
    public ConsumerOptions Options => _options;

    /// <summary>The key deserializer used by <see cref="ConsumeAsync(CancellationToken)"/>.</summary>
    public IDeserializer<TKey> KeyDeserializer { get; }

    /// <summary>The value deserializer used by <see cref="ConsumeAsync(CancellationToken)"/>.</summary>
    public IDeserializer<TValue> ValueDeserializer { get; }

    /// <summary>The partitions currently assigned (sorted).</summary>
    public IReadOnlyList<TopicPartition> Assignment => _subscription.AssignedPartitions();

    /// <summary>The subscribed topics (empty without a subscription).</summary>
    public IReadOnlyList<string> Subscription => _subscription.Topics;

    /// <summary>The member id the coordinator gave this consumer, or null outside a group.</summary>
    public string? MemberId => _membership?.Identity.MemberId is { Length: > 0 } id ? id : null;

    /// <summary>
    /// Subscribes to <paramref name="topics"/> as a member of <c>group.id</c>: partitions are assigned by the group
    /// and start from the committed offsets (else <c>auto.offset.reset</c>). Replaces an earlier subscription.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <c>group.id</c>, partitions were assigned manually, or the consumer is closed.</exception>
    public void Subscribe(IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ThrowIfClosed();
        List<string> list = [.. topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        if (list.Count == 0 || list.Exists(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Subscribe needs at least one topic, and topic names must not be empty.", nameof(topics));
        }

        if (_coordinator is null || _committer is null)
        {
            throw new InvalidOperationException("Subscribing needs a consumer group: set group.id.");
        }

        bool changed = !list.SequenceEqual(_subscription.Topics, StringComparer.Ordinal);
        _subscription.Subscribe(list);
        if (_membership is null)
        {
            _membership = new GroupMembership(
                _coordinator, _cluster, _options, _subscription, PostGroupAction, Liveness, ReportError, _logger);
            _committer.Membership = _membership;
            _membership.Start();
        }
        else if (changed)
        {
            _membership.RequestRejoin("the subscription changed");
        }
    }

    /// <summary>Subscribes to one topic (see <see cref="Subscribe(IEnumerable{string})"/>).</summary>
    public void Subscribe(string topic) => Subscribe([topic]);

    /// <summary>
    /// Reads <paramref name="partitions"/> without a group: each starts from the committed offset of
    /// <c>group.id</c> when there is one, else by <c>auto.offset.reset</c>; <see cref="Seek(TopicPartition, long)"/>
    /// chooses otherwise. Replaces an earlier manual assignment.
    /// </summary>
    /// <exception cref="InvalidOperationException">The consumer is subscribed, or closed.</exception>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ThrowIfClosed();
        List<TopicPartition> list = [.. partitions.Distinct()];
        _subscription.AssignManually(list, _coordinator is null ? PositionResolver.ResetSource(_options.AutoOffsetReset) : PositionSource.Committed);
        _signals.Raise();
    }

    /// <summary>Reads the given partitions from the given offsets (special values of <see cref="Offset"/> allowed).</summary>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        List<TopicPartitionOffset> list = [.. partitions];
        Assign(list.Select(p => p.TopicPartition));
        foreach (TopicPartitionOffset start in list)
        {
            Seek(start.TopicPartition, start.Offset);
        }
    }

    /// <summary>Drops the manual assignment (committing positions first with <c>enable.auto.commit</c>).</summary>
    public void Unassign()
    {
        ThrowIfClosed();
        if (_subscription.IsSubscribed)
        {
            throw new InvalidOperationException("The partitions belong to the group subscription; call UnsubscribeAsync.");
        }

        if (_committer is not null && _options.EnableAutoCommit)
        {
            StartAutoCommit();
        }

        _subscription.Clear();
        _signals.Raise();
    }

    /// <summary>
    /// Leaves the group: commits positions (with <c>enable.auto.commit</c>), raises <see cref="PartitionsRevoked"/>
    /// and sends LeaveGroup. Call from the reading thread, not during a read.
    /// </summary>
    public async Task UnsubscribeAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        GroupMembership? membership = _membership;
        if (membership is null)
        {
            return;
        }

        _membership = null;
        await membership.StopAsync().ConfigureAwait(false);
        CancelPendingActions();
        await RevokeAllAsync(membership, "unsubscribing", cancellationToken).ConfigureAwait(false);
        await membership.LeaveAsync("the consumer unsubscribed", cancellationToken).ConfigureAwait(false);
        await membership.DisposeAsync().ConfigureAwait(false);
        if (_committer is not null)
        {
            _committer.Membership = null;
        }

        _subscription.Clear();
        _signals.Raise();
    }

    /// <summary>
    /// Closes the consumer: ends reads in progress, commits positions (with <c>enable.auto.commit</c>), raises
    /// <see cref="PartitionsRevoked"/>, leaves the group and closes the connections. Each network step is bounded
    /// by <c>request.timeout.ms</c>.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        lock (_closeGate)
        {
            if (_closing is null)
            {
                Volatile.Write(ref _closed, 1);
                _closing = CloseAsync();
            }

            return new ValueTask(_closing);
        }
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);

    private (long Moves, bool Waiting) Liveness() => (Volatile.Read(ref _stream.Moves), _stream.Waiting);

    /// <summary>Background loops report errors here; the next consume call throws the latest.</summary>
    private void ReportError(KafkaException error)
    {
        Volatile.Write(ref _pendingError, error);
        _signals.Raise();
    }

    private Task PostGroupAction(GroupAction action)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            action.Done.TrySetCanceled();
        }
        else
        {
            _actions.Enqueue(action);
            _signals.Raise();
        }

        return action.Done.Task;
    }

    private void CancelPendingActions()
    {
        while (_actions.TryDequeue(out GroupAction? action))
        {
            action.Done.TrySetCanceled();
        }
    }

    private void AutoCommitTick()
    {
        _autoCommitDue = true;
        _signals.Raise();
    }

    /// <summary>The consuming thread met corrupt data: fetch the partition again from its position.</summary>
    private void RefetchAfterCorruption(PartitionState state)
    {
        lock (_subscription.Gate)
        {
            if (!state.Removed && state.Position >= 0)
            {
                state.SeekTo(state.Position, state.PositionLeaderEpoch);
                state.RetryAfterTicks = MonotonicClock.NowMs + (long)_options.RetryBackoff.TotalMilliseconds;
            }
        }

        _subscription.NotifyChanged();
    }

    private async Task CloseAsync()
    {
        _signals.Raise();
        _autoCommitTimer?.Dispose();
        GroupMembership? membership = _membership;
        if (membership is not null)
        {
            await membership.StopAsync().ConfigureAwait(false);
        }

        CancelPendingActions();
        using var bounded = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            await _autoCommit.ConfigureAwait(false);
            if (membership is not null)
            {
                await RevokeAllAsync(membership, "closing", bounded.Token).ConfigureAwait(false);
                await membership.LeaveAsync("the consumer is closing", bounded.Token).ConfigureAwait(false);
            }
            else if (_committer is not null && _options.EnableAutoCommit && _subscription.Partitions.Length > 0)
            {
                await _committer.CommitAsync(CurrentPositions(null), bounded.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is KafkaException or OperationCanceledException)
        {
            ConsumerLog.CloseStepFailed(_logger, "the final commit", e.Message);
        }

        if (membership is not null)
        {
            await membership.DisposeAsync().ConfigureAwait(false);
        }

        await _resolver.DisposeAsync().ConfigureAwait(false);
        await _fetcher.DisposeAsync().ConfigureAwait(false);
        _buffer.Close();
        if (Interlocked.CompareExchange(ref _reading, 2, 0) == 0)
        {
            // No read in progress (and none can start): the stream's buffers go back to the pool.
            _stream.Dispose();
        }

        if (_coordinator is not null)
        {
            await _coordinator.DisposeAsync().ConfigureAwait(false);
        }

        await _cluster.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>On unsubscribe or close: commit (auto-commit), tell the handler, give up every partition.</summary>
    private async Task RevokeAllAsync(GroupMembership membership, string why, CancellationToken cancellationToken)
    {
        List<TopicPartition> owned = _subscription.AssignedPartitions();
        if (owned.Count == 0)
        {
            return;
        }

        if (_options.EnableAutoCommit && _committer is not null && membership.Identity.Generation >= 0)
        {
            try
            {
                await _committer.CommitAsync(CurrentPositions(owned), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KafkaException or OperationCanceledException)
            {
                ConsumerLog.CloseStepFailed(_logger, $"committing while {why}", e.Message);
            }
        }

        Exception? failure = Raise(membership.Identity.Generation >= 0 ? PartitionsRevoked : PartitionsLost, nameof(PartitionsRevoked), owned);
        if (failure is not null)
        {
            ConsumerLog.CloseStepFailed(_logger, $"the revoked handler while {why}", failure.Message);
        }

        _subscription.Remove(owned);
        membership.ForgetOwned();
    }
}
