using System.Net;
using System.Net.Sockets;
using FastLog.Engine.Cleaning;
using FastLog.Engine.Commit;
using FastLog.Engine.Log;
using FastLog.Server.Configuration;
using FastLog.Server.Coordinator;
using FastLog.Server.Metadata;
using FastLog.Server.Metrics;
using FastLog.Server.Network;
using FastLog.Server.Requests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLog.Server.Broker;

/// <summary>
/// A FastLog broker: a single node that is both broker and controller (a Raft quorum of one),
/// serving the Kafka protocol over TCP, and Prometheus metrics and a health check over HTTP.
/// </summary>
/// <remarks>
/// Start-up: log directories are locked and recovered, meta.properties checked, the metadata log
/// replayed into an image, partition logs opened for it, then the listeners start. Shutdown
/// (<see cref="StopAsync"/>): /health turns 503, stop accepting, answer in-flight requests, stop the
/// metrics endpoint, flush and close every log, write checkpoints and the clean-shutdown marker.
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
    private readonly MetricsHttpServer? _metricsServer;
    private int _stopped;

    private FastLogBroker(LogManager logs, KafkaListener listener, MetricsHttpServer? metricsServer, ITimer retentionTimer, ITimer checkpointTimer, GroupCoordinator groups, LogCleanerService? cleaner, string? ownedDataDirectory, ILogger logger, BrokerConfig config, string bootstrap)
    {
        _logs = logs;
        _metricsServer = metricsServer;
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

    /// <summary>Where <c>/metrics</c> and <c>/health</c> are served (the bound port when 0 was configured); null when metrics.listener is empty.</summary>
    public IPEndPoint? MetricsEndPoint => _metricsServer?.LocalEndPoint;

    /// <summary>True from the start of <see cref="StopAsync"/>: /health answers 503 from then on.</summary>
    public bool IsStopping => Volatile.Read(ref _stopped) != 0;

    public BrokerConfig Config { get; }

    /// <summary>
    /// Starts an in-process broker: by default on 127.0.0.1 with a free port (Kafka and metrics
    /// listeners alike) and a temporary data directory.
    /// </summary>
    public static Task<FastLogBroker> StartAsync(FastLogBrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? owned = null;
        string dataDirectory = options.DataDirectory ?? (owned = Path.Combine(Path.GetTempPath(), "fastlog-" + Guid.NewGuid().ToString("N")));
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["metrics.listener"] = "127.0.0.1:0",
            ["log.dirs"] = dataDirectory,
        };
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var config = BrokerConfig.FromValues(settings);
        try
        {
            return Task.FromResult(Start(config, options.TimeProvider, options.LoggerFactory ?? NullLoggerFactory.Instance, owned));
        }
        catch when (owned is not null)
        {
            // The broker never started: the temporary directory it was given is nobody's now.
            DeleteQuietly(owned);
            throw;
        }
    }

    /// <summary>Starts a broker from a loaded configuration (the standalone executable).</summary>
    public static FastLogBroker Start(BrokerConfig config, TimeProvider time, ILoggerFactory loggerFactory) => Start(config, time, loggerFactory, null);

    private static FastLogBroker Start(BrokerConfig config, TimeProvider time, ILoggerFactory loggerFactory, string? ownedDataDirectory)
    {
        var logger = loggerFactory.CreateLogger("FastLog.Broker");
        var startTime = time.GetUtcNow();
        long startTimestamp = time.GetTimestamp();
        var flushMetrics = new FlushMetrics();
        string clusterId = MetaProperties.Ensure(config.LogDirs, config.NodeId, config.Get("cluster.id"));
        var logs = LogManager.Open(new LogManagerOptions
        {
            LogDirs = config.LogDirs,
            DefaultConfig = config.DefaultLogConfig,
            ConfigFor = tp => tp == MetadataLog.TopicPartition ? MetadataLog.Config : config.DefaultLogConfig,
            CommitPolicy = CommitPolicyFor(config),
            RecoveryThreadsPerDataDir = config.GetInt("num.recovery.threads.per.data.dir"),
            FlushThreadsPerDataDir = config.GetInt("num.flush.threads.per.data.dir"),
            PreallocateStepBytes = config.GetInt("log.preallocate.step.bytes"),
            CommitJournal = config.GetBool("log.commit.journal.enable"),
            JournalFileSizeBytes = config.GetInt("log.commit.journal.file.bytes"),
            PageCacheTailBytes = config.GetLong("log.page.cache.tail.bytes"),
            DirectWriteBufferBytes = config.GetInt("log.direct.write.buffer.bytes"),
            TimeProvider = time,
            FlushObserver = flushMetrics,
        });
        foreach (var directory in logs.LogDirectories)
        {
            if (directory.JournalReplayedBatches > 0 || directory.JournalUnplacedBatches > 0)
            {
                BrokerLog.JournalReplayed(logger, directory.Path, directory.JournalReplayedBatches, directory.JournalUnplacedBatches);
            }
        }

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
            FastLogBroker? broker = null;
            MetricsHttpServer? metricsServer;
            try
            {
                var collector = new BrokerMetricsCollector(dispatcher.Metrics, flushMetrics, listener, partitions, groups, logs, startTime);
                var health = new BrokerHealth(config.NodeId, logs, () => broker?.IsStopping ?? true, time, startTimestamp);
                metricsServer = CreateMetricsServer(config, collector, health, loggerFactory);
            }
            catch
            {
                groups.Dispose();
                listener.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }

            listener.Start();

            var retention = time.CreateTimer(_ => RunQuietly(logger, () => logs.RunRetention()), null, TimeSpan.FromMilliseconds(config.GetLong("log.retention.check.interval.ms")), TimeSpan.FromMilliseconds(config.GetLong("log.retention.check.interval.ms")));
            var checkpoint = time.CreateTimer(_ => RunQuietly(logger, logs.CheckpointAll), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            string bootstrap = $"{services.AdvertisedHost}:{services.AdvertisedPort}";
            string logDirs = string.Join(",", config.LogDirs);
            BrokerLog.Started(logger, config.NodeId, bootstrap, logDirs, clusterId);
            // Compacted topics (cleanup.policy=compact, __consumer_offsets among them) are cleaned in the background.
            var cleaner = config.GetBool("log.cleaner.enable") ? new LogCleanerService(logs, time, TimeSpan.FromMilliseconds(config.GetLong("log.cleaner.backoff.ms"))) : null;
            cleaner?.Start();
            broker = new FastLogBroker(logs, listener, metricsServer, retention, checkpoint, groups, cleaner, ownedDataDirectory, logger, config, bootstrap);
            metricsServer?.Start();
            return broker;
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
        var draining = _listener.StopAsync();

        // The listener stopped reading and waits for the requests in flight; an acks=all produce among
        // them may be waiting for a flush its policy would only make later (log.flush.interval.ms).
        foreach (var log in _logs.Logs)
        {
            try
            {
                log.RequestFlush();
            }
            catch (IOException)
            {
                // An offline log: its waiters already failed.
            }
        }

        await draining;
        if (_metricsServer is not null)
        {
            await _metricsServer.StopAsync();
        }

        await _retentionTimer.DisposeAsync();
        _cleaner?.Dispose();
        await _checkpointTimer.DisposeAsync();
        _logs.Dispose();
        BrokerLog.Stopped(_logger);
        if (_ownedDataDirectory is not null)
        {
            DeleteQuietly(_ownedDataDirectory);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _listener.DisposeAsync();
        if (_metricsServer is not null)
        {
            await _metricsServer.DisposeAsync();
        }
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

    /// <summary>Binds metrics.listener (null when it is empty); a bind failure names the setting.</summary>
    private static MetricsHttpServer? CreateMetricsServer(BrokerConfig config, BrokerMetricsCollector collector, BrokerHealth health, ILoggerFactory loggerFactory)
    {
        if (config.MetricsListener is not { } address)
        {
            return null;
        }

        var routes = new Dictionary<string, Func<HttpAnswer>>(StringComparer.Ordinal)
        {
            ["/metrics"] = collector.Answer,
            ["/health"] = health.Answer,
        };
        try
        {
            return new MetricsHttpServer(new IPEndPoint(ResolveBindAddress(address.Host), address.Port), routes, loggerFactory.CreateLogger("FastLog.Metrics"));
        }
        catch (SocketException e)
        {
            throw new BrokerConfigException($"metrics.listener: cannot listen on {address}: {e.Message}", e);
        }
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

    private static void DeleteQuietly(string temporaryDirectory)
    {
        try
        {
            Directory.Delete(temporaryDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory: leftovers are harmless.
        }
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
