using Microsoft.Extensions.Logging;

namespace FastLog.Server.Broker;

internal static partial class BrokerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "FastLog node {NodeId} serving Kafka clients at {Bootstrap}, data in {LogDirs}, cluster {ClusterId}")]
    public static partial void Started(ILogger logger, int nodeId, string bootstrap, string logDirs, string clusterId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "FastLog stopped cleanly")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "A background task failed")]
    public static partial void BackgroundTaskFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Recovered {Replayed} record batches of {Directory} from its commit journal (the partitions' files had lost them); {Unplaced} journal batches could not be placed")]
    public static partial void JournalReplayed(ILogger logger, string directory, long replayed, long unplaced);
}
