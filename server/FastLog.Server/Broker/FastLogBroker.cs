using System.Net;
using System.Net.Sockets;
using FastLog.Engine.Cleaning;
using FastLog.Engine.Commit;
using FastLog.Engine.Log;
using FastLog.Server.Configuration;
using FastLog.Server.Coordinator;
using FastLog.Server.Metadata;
using FastLog.Server.Network;
using FastLog.Server.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLog.Server.Broker;

/// <summary>
/// A FastLog broker: a single node that is both broker and controller (a Raft quorum of one),
/// serving the Kafka protocol over TCP.
/// </summary>
/// <remarks>
/// Start-up: log directories are locked and recovered, meta.properties checked, the metadata log
/// replayed into an image, partition logs opened for it, then the listener starts. Shutdown
/// (<see cref="StopAsync"/>): stop accepting, answer in-flight requests, flush and close every log,
/// write checkpoints and the clean-shutdown marker.
/// For tests and tools: <c>await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());</c>
/// then connect any Kafka client to <see cref="BootstrapServers"/>.
/// </remarks>
public sealed class FastLogBroker : IAsyncDisposable
{
    private readonly LogManager _logs;
    private readonly KafkaListener _listener;
    private readonly ITimer _retentionTimer;
    private readonly LogCleanerService? _cleaner;
    private readonly ITimer _checkpointTimer;
    private readonly GroupCoordinator _groups;
    private readonly string? _ownedDataDirectory;
    private readonly ILogger _logger;
    private int _stopped;

    private FastLogBroker(LogManager logs, KafkaListener listener, ITimer retentionTimer, ITimer checkpointTimer, GroupCoordinator groups, LogCleanerService? cleaner, string? ownedDataDirectory, ILogger logger, BrokerConfig config, string bootstrap)
    {
        _logs = logs;
        _cleaner = cleaner;
        _listener = listener;
        _retentionTimer = retentionTimer;
        _checkpointTimer = checkpointTimer;
        _groups = groups;
        _ownedDataDirectory = ownedDataDirectory;
        _logger = logger;
        Config = config;
        BootstrapServers = bootstrap;
    }

    /// <summary>host:port for a client's bootstrap.servers.</summary>
    public string BootstrapServers { get; }

    public IPEndPoint LocalEndPoint => _listener.LocalEndPoint;

    public BrokerConfig Config { get; }

    /// <summary>Starts an in-process broker: by default on 127.0.0.1 with a free port and a temporary data directory.</summary>
    public static Task<FastLogBroker> StartAsync(FastLogBrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? owned = null;
        string dataDirectory = options.DataDirectory ?? (owned = Path.Combine(Path.GetTempPath(), "fastlog-" + Guid.NewGuid().ToString("N")));
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = dataDirectory,
        };
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var config = BrokerConfig.FromValues(settings);
        return Task.FromResult(Start(config, options.TimeProvider, options.LoggerFactory ?? NullLoggerFactory.Instance, owned));
    }

    /// <summary>Starts a broker from a loaded configuration (the standalone executable).</summary>
    public static FastLogBroker Start(BrokerConfig config, TimeProvider time, ILoggerFactory loggerFactory) => Start(config, time, loggerFactory, null);

    private static FastLogBroker Start(BrokerConfig config, TimeProvider time, ILoggerFactory loggerFactory, string? ownedDataDirectory)
    {
        var logger = loggerFactory.CreateLogger("FastLog.Broker");
        string clusterId = MetaProperties.Ensure(config.LogDirs, config.NodeId, config.Get("cluster.id"));
        var logs = LogManager.Open(new LogManagerOptions
        {
            LogDirs = config.LogDirs,
            DefaultConfig = config.DefaultLogConfig,
            ConfigFor = tp => tp == MetadataLog.TopicPartition ? MetadataLog.Config : config.DefaultLogConfig,
            CommitPolicy = CommitPolicyFor(config),
            RecoveryThreadsPerDataDir = config.GetInt("num.recovery.threads.per.data.dir"),
            TimeProvider = time,
        });
        try
        {
            var controller = new MetadataController(new MetadataLog(logs, time), config);
            var partitions = new PartitionManager(logs, config);
            partitions.Apply(null, controller.Image);
            partitions.DeleteOrphans(controller.Image);
            controller.ImageChanged += partitions.Apply;

            // Groups are rebuilt from __consumer_offsets before the listener accepts a JoinGroup or OffsetFetch.
            var groups = CreateGroupCoordinator(config, controller, partitions, time);
            var services = new BrokerServices(config, logs, controller, partitions, time, logger, clusterId) { Groups = groups };
            RequestDispatcher? dispatcher = null;
            dispatcher = new RequestDispatcher(services, CreateHandlers(() => dispatcher!.Handlers));
            var listenerAddress = config.Listeners[0];
            var listener = new KafkaListener(new IPEndPoint(ResolveBindAddress(listenerAddress.Host), listenerAddress.Port), NetworkOptionsFor(config), dispatcher, loggerFactory.CreateLogger("FastLog.Network"));
            var advertised = config.AdvertisedListeners[0];
            services.AdvertisedHost = advertised.Host is "0.0.0.0" or "::" or "" ? "localhost" : advertised.Host;
            services.AdvertisedPort = advertised.Port == 0 ? listener.LocalEndPoint.Port : advertised.Port;
            listener.Start();

            var retention = time.CreateTimer(_ => RunQuietly(logger, () => logs.RunRetention()), null, TimeSpan.FromMilliseconds(config.GetLong("log.retention.check.interval.ms")), TimeSpan.FromMilliseconds(config.GetLong("log.retention.check.interval.ms")));
            var checkpoint = time.CreateTimer(_ => RunQuietly(logger, logs.CheckpointAll), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            string bootstrap = $"{services.AdvertisedHost}:{services.AdvertisedPort}";
            string logDirs = string.Join(",", config.LogDirs);
            BrokerLog.Started(logger, config.NodeId, bootstrap, logDirs, clusterId);
            // Compacted topics (cleanup.policy=compact, __consumer_offsets among them) are cleaned in the background.
            var cleaner = config.GetBool("log.cleaner.enable") ? new LogCleanerService(logs, time, TimeSpan.FromMilliseconds(config.GetLong("log.cleaner.backoff.ms"))) : null;
            cleaner?.Start();
            return new FastLogBroker(logs, listener, retention, checkpoint, groups, cleaner, ownedDataDirectory, logger, config, bootstrap);
        }
        catch
        {
            logs.Dispose();
            throw;
        }
    }

    /// <summary>Stops accepting, answers what is in flight, flushes and closes every log, writes the clean-shutdown marker.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // Joins and syncs may wait minutes for a rebalance: answer them (coordinator gone, retry) before the
        // listener waits for in-flight requests; commits still in flight find the logs open.
        _groups.Dispose();
        await _listener.StopAsync();
        await _retentionTimer.DisposeAsync();
        _cleaner?.Dispose();
        await _checkpointTimer.DisposeAsync();
        _logs.Dispose();
        BrokerLog.Stopped(_logger);
        if (_ownedDataDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownedDataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temporary directory: leftovers are harmless.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _listener.DisposeAsync();
    }

    private static IEnumerable<IApiHandler> CreateHandlers(Func<IEnumerable<IApiHandler>> all) =>
    [
        new ApiVersionsHandler(all),
        new MetadataHandler(),
        new ProduceHandler(),
        new FetchHandler(),
        new ListOffsetsHandler(),
        new InitProducerIdHandler(),
        new FindCoordinatorHandler(),
        new OffsetForLeaderEpochHandler(),
        new JoinGroupHandler(),
        new SyncGroupHandler(),
        new HeartbeatHandler(),
        new LeaveGroupHandler(),
        new OffsetCommitHandler(),
        new OffsetFetchHandler(),
        new ListGroupsHandler(),
        new DescribeGroupsHandler(),
        new DeleteGroupsHandler(),
        new OffsetDeleteHandler(),
        new CreateTopicsHandler(),
        new DeleteTopicsHandler(),
        new DeleteRecordsHandler(),
        new DescribeConfigsHandler(),
        new AlterConfigsHandler(),
        new CreatePartitionsHandler(),
        new IncrementalAlterConfigsHandler(),
        new DescribeClusterHandler(),
    ];

    private static GroupCoordinator CreateGroupCoordinator(BrokerConfig config, MetadataController controller, PartitionManager partitions, TimeProvider time)
    {
        var store = new OffsetsTopicStore(controller, partitions, time, config.GetInt("offsets.topic.num.partitions"));
        var coordinator = new GroupCoordinator(
            store,
            time,
            GroupCoordinatorConfig.From(config),
            logEndOffset: (topic, partition) => partitions.TryGet(topic, partition, out var state) ? state.Log.HighWatermark : -1,
            partitionExists: (topic, partition) => controller.Image.TryGetTopic(topic, out var t) && partition >= 0 && partition < t.Partitions.Length);
        coordinator.Start();
        return coordinator;
    }

    /// <summary>acks=all always fsyncs (FastLog's durable default); log.flush.interval.* add background flushing on top.</summary>
    private static CommitPolicy CommitPolicyFor(BrokerConfig config)
    {
        if (config.ExplicitValues.ContainsKey("log.flush.interval.ms"))
        {
            return CommitPolicy.EveryInterval(TimeSpan.FromMilliseconds(config.GetLong("log.flush.interval.ms")));
        }

        if (config.ExplicitValues.ContainsKey("log.flush.interval.messages"))
        {
            return CommitPolicy.EveryMessages(config.GetLong("log.flush.interval.messages"));
        }

        return CommitPolicy.Immediate;
    }

    private static NetworkOptions NetworkOptionsFor(BrokerConfig config) => new()
    {
        SocketRequestMaxBytes = config.GetInt("socket.request.max.bytes"),
        MaxConnections = config.GetInt("max.connections"),
        ConnectionsMaxIdleMs = config.GetLong("connections.max.idle.ms"),
        MaxInFlightRequestsPerConnection = config.GetInt("queued.max.requests"),
    };

    private static IPAddress ResolveBindAddress(string host)
    {
        if (host.Length == 0 || host == "0.0.0.0")
        {
            return IPAddress.Any;
        }

        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
    }

    private static void RunQuietly(ILogger logger, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            BrokerLog.BackgroundTaskFailed(logger, e);
        }
    }
}
