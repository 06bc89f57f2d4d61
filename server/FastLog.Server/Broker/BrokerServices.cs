using FastLog.Engine.Log;
using FastLog.Server.Configuration;
using FastLog.Server.Coordinator;
using FastLog.Server.Metadata;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Broker;

/// <summary>The broker's parts that request handlers use; built once by <see cref="FastLogBroker"/>.</summary>
internal sealed class BrokerServices
{
    public BrokerServices(BrokerConfig config, LogManager logs, MetadataController controller, PartitionManager partitions, TimeProvider time, ILogger logger, string clusterId)
    {
        Config = config;
        Logs = logs;
        Controller = controller;
        Partitions = partitions;
        Time = time;
        Logger = logger;
        ClusterId = clusterId;
    }

    public BrokerConfig Config { get; }

    public LogManager Logs { get; }

    public MetadataController Controller { get; }

    public PartitionManager Partitions { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>The classic consumer-group coordinator (this node coordinates every group).</summary>
    public required GroupCoordinator Groups { get; init; }

    public string ClusterId { get; }

    /// <summary>The host and port clients are told to use (the advertised listener, with the bound port when 0 was configured).</summary>
    public string AdvertisedHost { get; set; } = "localhost";

    public int AdvertisedPort { get; set; }

    public int NodeId => Config.NodeId;
}
