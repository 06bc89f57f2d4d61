using FastLog.Protocol;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Cluster;

/// <summary>Log events of connection and coordinator handling (event ids 100-199).</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Connecting to broker {NodeId} at {Host}:{Port}")]
    public static partial void Connecting(ILogger logger, int nodeId, string host, int port);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Could not connect to broker {NodeId} at {Host}:{Port}: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, int nodeId, string host, int port, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Coordinator for {Key} not available yet ({Error}); retrying")]
    public static partial void CoordinatorRetry(ILogger logger, string key, ErrorCode error);
}
