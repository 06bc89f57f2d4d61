using FastLog.Client.Configuration;

namespace FastLog.Client.Consumer;

/// <summary>
/// Settings of a <see cref="KafkaConsumer{TKey, TValue}"/>: the shared client settings plus the consumer's, each
/// named after the Kafka consumer key it reads (<see cref="FromConfig"/>). Defaults are the Java client's, except
/// <c>check.crcs</c> (off, as in librdkafka: TCP and the broker already checked the bytes).
/// </summary>
public sealed class ConsumerOptions : KafkaClientOptions
{
    private static readonly Dictionary<string, AutoOffsetReset> OffsetResets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["latest"] = AutoOffsetReset.Latest,
        ["earliest"] = AutoOffsetReset.Earliest,
        ["none"] = AutoOffsetReset.None,
    };

    private static readonly Dictionary<string, IsolationLevel> IsolationLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["read_uncommitted"] = IsolationLevel.ReadUncommitted,
        ["read_committed"] = IsolationLevel.ReadCommitted,
    };

    private static readonly Dictionary<string, bool> GroupProtocols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["classic"] = true,
    };

    /// <summary><c>group.id</c>: the consumer group; required for <c>Subscribe</c> and for commits.</summary>
    public string? GroupId { get; set; }

    /// <summary><c>group.instance.id</c>: makes the member static (KIP-345): a restart within the session timeout keeps its partitions.</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary><c>auto.offset.reset</c>: where to start without a (valid) committed offset.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary><c>enable.auto.commit</c>: commit consumed positions periodically, on revocation and on close.</summary>
    public bool EnableAutoCommit { get; set; } = true;

    /// <summary><c>auto.commit.interval.ms</c>: how often positions are committed automatically.</summary>
    public TimeSpan AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>session.timeout.ms</c>: a member silent for this long is removed from the group.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary><c>heartbeat.interval.ms</c>: how often the member tells the coordinator it is alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <c>max.poll.interval.ms</c>: the longest the application may go without asking for a record; after that the
    /// member leaves the group so its partitions move on. Also the rebalance timeout sent in JoinGroup.
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary><c>fetch.min.bytes</c>: the broker holds a fetch until this much data is available (or <see cref="FetchMaxWait"/>).</summary>
    public int FetchMinBytes { get; set; } = 1;

    /// <summary><c>fetch.max.wait.ms</c>: how long the broker may hold a fetch waiting for <see cref="FetchMinBytes"/>.</summary>
    public TimeSpan FetchMaxWait { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary><c>max.partition.fetch.bytes</c>: per-partition bound of one fetch (a larger first batch is still returned whole).</summary>
    public int MaxPartitionFetchBytes { get; set; } = 1024 * 1024;

    /// <summary><c>fetch.max.bytes</c>: bound of one fetch response (a larger first batch is still returned whole).</summary>
    public int FetchMaxBytes { get; set; } = 50 * 1024 * 1024;

    /// <summary>
    /// <c>partition.assignment.strategy</c>: the assignors offered to the group, in order of preference. The
    /// group uses incremental cooperative rebalancing only when every one listed supports it (as Java decides).
    /// </summary>
    public IReadOnlyList<PartitionAssignmentStrategy> PartitionAssignmentStrategies { get; set; } =
        [PartitionAssignmentStrategy.Range, PartitionAssignmentStrategy.CooperativeSticky];

    /// <summary><c>isolation.level</c>.</summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.ReadUncommitted;

    /// <summary><c>client.rack</c>: sent in Fetch (v11+) and in the group subscription.</summary>
    public string? ClientRack { get; set; }

    /// <summary><c>check.crcs</c>: verify each fetched batch's CRC-32C before reading it.</summary>
    public bool CheckCrcs { get; set; }

    /// <summary>
    /// Reads Kafka consumer keys (<c>bootstrap.servers</c>, <c>group.id</c>, <c>fetch.max.wait.ms</c>, ...).
    /// </summary>
    /// <exception cref="ArgumentException">A key is unknown or a value is malformed or out of range.</exception>
    public static ConsumerOptions FromConfig(IEnumerable<KeyValuePair<string, string>> properties)
    {
        var config = new KafkaConfigReader(properties);
        var options = new ConsumerOptions();
        options.ReadCommon(config);
        options.GroupId = config.String("group.id") ?? options.GroupId;
        options.GroupInstanceId = config.String("group.instance.id") ?? options.GroupInstanceId;
        options.AutoOffsetReset = config.Choice("auto.offset.reset", OffsetResets) ?? options.AutoOffsetReset;
        options.EnableAutoCommit = config.Boolean("enable.auto.commit") ?? options.EnableAutoCommit;
        options.AutoCommitInterval = config.Milliseconds("auto.commit.interval.ms") ?? options.AutoCommitInterval;
        options.SessionTimeout = config.Milliseconds("session.timeout.ms") ?? options.SessionTimeout;
        options.HeartbeatInterval = config.Milliseconds("heartbeat.interval.ms") ?? options.HeartbeatInterval;
        options.MaxPollInterval = config.Milliseconds("max.poll.interval.ms") ?? options.MaxPollInterval;
        options.FetchMinBytes = config.Int32("fetch.min.bytes", 0) ?? options.FetchMinBytes;
        options.FetchMaxWait = config.Milliseconds("fetch.max.wait.ms") ?? options.FetchMaxWait;
        options.MaxPartitionFetchBytes = config.Int32("max.partition.fetch.bytes", 1) ?? options.MaxPartitionFetchBytes;
        options.FetchMaxBytes = config.Int32("fetch.max.bytes", 1) ?? options.FetchMaxBytes;
        options.IsolationLevel = config.Choice("isolation.level", IsolationLevels) ?? options.IsolationLevel;
        options.ClientRack = config.String("client.rack") ?? options.ClientRack;
        options.CheckCrcs = config.Boolean("check.crcs") ?? options.CheckCrcs;
        _ = config.Choice("group.protocol", GroupProtocols);
        string? strategies = config.String("partition.assignment.strategy");
        if (strategies is not null)
        {
            options.PartitionAssignmentStrategies = ParseStrategies(strategies);
        }

        config.ThrowIfUnused();
        options.Validate();
        return options;
    }

    /// <summary>Checks the settings and how they relate (heartbeats well inside the session timeout, ...).</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public override void Validate()
    {
        base.Validate();
        if (GroupId is { Length: 0 })
        {
            throw new ArgumentException("group.id must not be empty (leave it unset for a consumer without a group).");
        }

        if (SessionTimeout <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= SessionTimeout)
        {
            throw new ArgumentException("heartbeat.interval.ms must be positive and lower than session.timeout.ms.");
        }

        if (MaxPollInterval <= TimeSpan.Zero || AutoCommitInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("max.poll.interval.ms and auto.commit.interval.ms must be positive.");
        }

        if (FetchMinBytes < 0 || MaxPartitionFetchBytes <= 0 || FetchMaxBytes <= 0 || FetchMaxWait < TimeSpan.Zero)
        {
            throw new ArgumentException("fetch.min.bytes must not be negative; max.partition.fetch.bytes and fetch.max.bytes must be positive.");
        }

        if (FetchMaxWait >= RequestTimeout)
        {
            throw new ArgumentException("fetch.max.wait.ms must be lower than request.timeout.ms, or every long poll would time out.");
        }

        if (PartitionAssignmentStrategies is null || PartitionAssignmentStrategies.Count == 0)
        {
            throw new ArgumentException("partition.assignment.strategy must name at least one assignor.");
        }

        if (PartitionAssignmentStrategies.Distinct().Count() != PartitionAssignmentStrategies.Count)
        {
            throw new ArgumentException("partition.assignment.strategy lists an assignor twice.");
        }
    }

    /// <summary>
    /// Parses a comma-separated assignor list: librdkafka's names (<c>range</c>, <c>roundrobin</c>,
    /// <c>cooperative-sticky</c>) or the Java class names.
    /// </summary>
    internal static List<PartitionAssignmentStrategy> ParseStrategies(string value)
    {
        var result = new List<PartitionAssignmentStrategy>();
        foreach (string raw in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string name = raw.StartsWith("org.apache.kafka.clients.consumer.", StringComparison.Ordinal)
                ? raw["org.apache.kafka.clients.consumer.".Length..]
                : raw;
            result.Add(name.ToUpperInvariant() switch
            {
                "RANGE" or "RANGEASSIGNOR" => PartitionAssignmentStrategy.Range,
                "ROUNDROBIN" or "ROUNDROBINASSIGNOR" => PartitionAssignmentStrategy.RoundRobin,
                "COOPERATIVE-STICKY" or "COOPERATIVESTICKYASSIGNOR" => PartitionAssignmentStrategy.CooperativeSticky,
                _ => throw new ArgumentException(
                    $"Client property partition.assignment.strategy={value}: unknown assignor '{raw}' (range, roundrobin, cooperative-sticky).",
                    nameof(value)),
            });
        }

        if (result.Count == 0)
        {
            throw new ArgumentException("Client property partition.assignment.strategy is empty.", nameof(value));
        }

        return result;
    }
}
