using Microsoft.Extensions.Logging;

namespace FastLog.Server.Network;

/// <summary>The socket layer's log lines: source-generated, so a disabled level costs a check and nothing else.</summary>
internal static partial class NetworkLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Listening for Kafka clients on {EndPoint}")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint? endPoint);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{Connection}: frame of {SizeBytes} bytes refused (socket.request.max.bytes is {MaxBytes}); closing")]
    public static partial void FrameTooLarge(ILogger logger, ConnectionContext connection, int sizeBytes, int maxBytes);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "{Connection}: {Reason}; closing")]
    public static partial void RequestRefused(ILogger logger, ConnectionContext connection, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "{Connection}: request processing failed; closing")]
    public static partial void ProcessorFailed(ILogger logger, ConnectionContext connection, Exception error);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "{Connection}: idle for {IdleMs} ms; closing")]
    public static partial void IdleClosed(ILogger logger, ConnectionContext connection, long idleMs);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "{Connection}: sending failed: {Reason}")]
    public static partial void SendFailed(ILogger logger, ConnectionContext connection, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Connection from {RemoteEndPoint} refused: max.connections ({MaxConnections}) reached")]
    public static partial void TooManyConnections(ILogger logger, System.Net.EndPoint? remoteEndPoint, int maxConnections);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error, Message = "Accepting connections failed")]
    public static partial void AcceptFailed(ILogger logger, Exception error);
}
