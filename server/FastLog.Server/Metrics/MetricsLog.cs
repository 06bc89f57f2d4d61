using System.Net;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Metrics;

internal static partial class MetricsLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Serving /metrics and /health at http://{EndPoint}")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "Answering {Path} failed")]
    public static partial void RouteFailed(ILogger logger, string path, Exception error);

    [LoggerMessage(EventId = 402, Level = LogLevel.Debug, Message = "Metrics connection from {RemoteEndPoint} dropped: {Reason}")]
    public static partial void ConnectionDropped(ILogger logger, EndPoint? remoteEndPoint, string reason);
}
