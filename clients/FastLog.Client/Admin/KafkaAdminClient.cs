using FastLog.Client.Cluster;
using FastLog.Protocol;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Admin;

/// <summary>
/// Administers a Kafka-compatible cluster: topics, partitions, configs, consumer groups and their offsets, records
/// and the cluster itself. Each request goes where Kafka wants it: topic changes to the controller, group
/// operations to the group's coordinator, ListOffsets and DeleteRecords to each partition's leader.
/// </summary>
/// <remarks>
/// Errors: an item the broker refuses (a topic that already exists, a group that is not empty) fails the call with
/// a <see cref="KafkaException"/> carrying the Kafka error code and a message naming the item and what to do. When
/// several items of one call fail, the exception carries the first one's code, all messages, and the individual
/// exceptions as an <see cref="AggregateException"/> inner exception; the items that succeeded stay done.
/// Retriable errors (the controller or coordinator moved or is loading, a leader is unknown, the network failed)
/// are retried after <c>retry.backoff.ms</c>, with fresh metadata or a new coordinator lookup, until
/// <c>request.timeout.ms</c> has passed since the call began.
/// Thread-safe: calls may run concurrently and share one connection per broker.
/// </remarks>
public sealed partial class KafkaAdminClient : IAsyncDisposable
{
    private readonly AdminOptions _options;
    private readonly ClusterConnections _cluster;
    private readonly ILogger _logger;

    /// <summary>Creates an admin client; nothing is connected until the first call.</summary>
    /// <exception cref="ArgumentException">The options are invalid (e.g. a malformed <c>bootstrap.servers</c>).</exception>
    public KafkaAdminClient(AdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("FastLog.Client.Admin");
        _cluster = new ClusterConnections(options, _logger);
    }

    /// <summary>The client's settings.</summary>
    public AdminOptions Options => _options;

    /// <summary>Closes every connection.</summary>
    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    private int TimeoutMs => (int)Math.Min(int.MaxValue, _options.RequestTimeout.TotalMilliseconds);

    /// <summary>
    /// Runs an operation over <paramref name="keys"/> (duplicates dropped, order kept): each attempt gets the items
    /// still pending, items with a retriable error go round again after the backoff and a refresh, until the request
    /// timeout. Returns results in key order, or throws the item failures (see the class remarks).
    /// </summary>
    private async Task<IReadOnlyList<TResult>> RunAsync<TKey, TResult>(
        string operation,
        IEnumerable<TKey> keys,
        Func<IReadOnlyList<TKey>, CancellationToken, Task<Dictionary<TKey, ItemOutcome<TResult>>>> attempt,
        Func<IReadOnlyList<TKey>, CancellationToken, Task>? refresh,
        CancellationToken cancellationToken)
        where TKey : notnull
    {
        List<TKey> all = [.. keys.Distinct()];
        if (all.Count == 0)
        {
            return [];
        }

        long started = MonotonicClock.NowMs;
        var results = new Dictionary<TKey, TResult>();
        var failures = new Dictionary<TKey, KafkaException>();
        List<TKey> pending = all;
        while (true)
        {
            Dictionary<TKey, ItemOutcome<TResult>> outcomes;
            try
            {
                outcomes = await attempt(pending, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (AdminErrors.IsRetriable(e.Error))
            {
                outcomes = pending.ToDictionary(k => k, _ => ItemOutcome<TResult>.Failed(e));
            }

            var retry = new List<TKey>();
            KafkaException? cause = null;
            foreach (TKey key in pending)
            {
                if (!outcomes.TryGetValue(key, out ItemOutcome<TResult> outcome))
                {
                    failures[key] = new KafkaException(ErrorCode.UnknownServerError, $"{operation}: the broker's answer left out {key}.");
                }
                else if (outcome.Error is null)
                {
                    results[key] = outcome.Result!;
                }
                else if (AdminErrors.IsRetriable(outcome.Error.Error))
                {
                    retry.Add(key);
                    cause ??= outcome.Error;
                }
                else
                {
                    failures[key] = outcome.Error;
                }
            }

            if (cause is null)
            {
                break;
            }

            if (MonotonicClock.NowMs - started + (long)_options.RetryBackoff.TotalMilliseconds >= TimeoutMs)
            {
                AdminLog.GaveUp(_logger, operation, cause.Error, _options.RequestTimeout.TotalMilliseconds);
                foreach (TKey key in retry)
                {
                    failures[key] = cause;
                }

                break;
            }

            AdminLog.Retrying(_logger, operation, retry.Count, cause.Error, cause.Message, _options.RetryBackoff.TotalMilliseconds);
            await Task.Delay(_options.RetryBackoff, cancellationToken).ConfigureAwait(false);
            try
            {
                await (refresh ?? RefreshBrokersAsync)(retry, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e) when (AdminErrors.IsRetriable(e.Error))
            {
                // The next attempt meets the same problem and counts against the deadline.
                AdminLog.RefreshFailed(_logger, e.Message);
            }

            pending = retry;
        }

        if (failures.Count > 0)
        {
            throw Combine(all, failures);
        }

        AdminLog.Done(_logger, operation, all.Count);
        return [.. all.Select(k => results[k])];
    }

    /// <summary>One failure is thrown as it is; several become one exception listing them all.</summary>
    private static KafkaException Combine<TKey>(List<TKey> order, Dictionary<TKey, KafkaException> failures)
        where TKey : notnull
    {
        List<KafkaException> distinct = [.. order.Where(failures.ContainsKey).Select(k => failures[k]).Distinct()];
        if (distinct.Count == 1)
        {
            return distinct[0];
        }

        string messages = string.Join(" ", distinct.Select(e => e.Message));
        return new KafkaException(distinct[0].Error, $"{failures.Count} of {order.Count} items failed. {messages}", new AggregateException(distinct));
    }

    /// <summary>Default refresh before a retry: the broker list and controller, so a moved controller is found.</summary>
    private async Task RefreshBrokersAsync<TKey>(IReadOnlyList<TKey> retrying, CancellationToken cancellationToken) =>
        await _cluster.RefreshAsync(null, cancellationToken).ConfigureAwait(false);

    /// <summary>Refresh before a retry of per-partition requests: the partitions' topics, so moved leaders are found.</summary>
    private async Task RefreshTopicsAsync(IReadOnlyList<TopicAndPartition> retrying, CancellationToken cancellationToken) =>
        await _cluster.RefreshAsync(retrying.Select(p => p.Topic).Distinct(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);

    /// <summary>The controller (or any broker when none is reported).</summary>
    private async Task<AdminTarget> ControllerAsync(CancellationToken cancellationToken)
    {
        KafkaConnection connection = await _cluster.GetControllerAsync(cancellationToken).ConfigureAwait(false);
        return new AdminTarget(_cluster.Metadata.Current.ControllerId, connection);
    }

    /// <summary>The coordinator of <paramref name="groupId"/>, looked up afresh (so a moved coordinator is found on retry).</summary>
    private async Task<AdminTarget> CoordinatorAsync(string groupId, CancellationToken cancellationToken)
    {
        int nodeId = await _cluster.FindCoordinatorAsync(groupId, 0, cancellationToken).ConfigureAwait(false);
        return new AdminTarget(nodeId, await _cluster.GetAsync(nodeId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Sends one request per target broker, concurrently: <paramref name="route"/> picks each key's broker (a failure
    /// there is that key's outcome), <paramref name="send"/> handles the keys of one broker (a failure there is the
    /// outcome of all of them).
    /// </summary>
    private static async Task<Dictionary<TKey, ItemOutcome<TResult>>> FanOutAsync<TKey, TResult>(
        IReadOnlyList<TKey> keys,
        Func<TKey, CancellationToken, Task<AdminTarget>> route,
        Func<AdminTarget, IReadOnlyList<TKey>, CancellationToken, Task<Dictionary<TKey, ItemOutcome<TResult>>>> send,
        CancellationToken cancellationToken)
        where TKey : notnull
    {
        var outcomes = new Dictionary<TKey, ItemOutcome<TResult>>();
        var byTarget = new Dictionary<KafkaConnection, (AdminTarget Target, List<TKey> Keys)>();
        foreach (TKey key in keys)
        {
            try
            {
                AdminTarget target = await route(key, cancellationToken).ConfigureAwait(false);
                if (!byTarget.TryGetValue(target.Connection, out (AdminTarget Target, List<TKey> Keys) entry))
                {
                    entry = (target, []);
                    byTarget[target.Connection] = entry;
                }

                entry.Keys.Add(key);
            }
            catch (KafkaException e)
            {
                outcomes[key] = ItemOutcome<TResult>.Failed(e);
            }
        }

        var sends = byTarget.Values.Select(async entry =>
        {
            try
            {
                return (entry.Keys, Outcomes: await send(entry.Target, entry.Keys, cancellationToken).ConfigureAwait(false), Error: (KafkaException?)null);
            }
            catch (KafkaException e)
            {
                return (entry.Keys, Outcomes: (Dictionary<TKey, ItemOutcome<TResult>>?)null, Error: e);
            }
        }).ToList();
        foreach (var (sentKeys, answered, error) in await Task.WhenAll(sends).ConfigureAwait(false))
        {
            foreach (TKey key in sentKeys)
            {
                if (error is not null)
                {
                    outcomes[key] = ItemOutcome<TResult>.Failed(error);
                }
                else if (answered!.TryGetValue(key, out ItemOutcome<TResult> outcome))
                {
                    outcomes[key] = outcome;
                }
            }
        }

        return outcomes;
    }

    private static ItemOutcome<TResult> Outcome<TResult>(short errorCode, string subject, string? message, Func<TResult> result) =>
        errorCode == 0
            ? ItemOutcome<TResult>.Ok(result())
            : ItemOutcome<TResult>.Failed(AdminErrors.For((ErrorCode)errorCode, subject, message));
}
