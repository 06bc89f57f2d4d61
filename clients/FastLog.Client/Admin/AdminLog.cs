using FastLog.Protocol;
using Microsoft.Extensions.Logging;

namespace FastLog.Client.Admin;

/// <summary>Log events of the admin client (event ids 400-499).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "{Operation}: {Count} item(s) met {Error} ({Reason}); retrying in {BackoffMs} ms")]
    public static partial void Retrying(ILogger logger, string operation, int count, ErrorCode error, string reason, double backoffMs);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "{Operation}: still failing with {Error} when the {TimeoutMs} ms request timeout ran out")]
    public static partial void GaveUp(ILogger logger, string operation, ErrorCode error, double timeoutMs);

    [LoggerMessage(EventId = 402, Level = LogLevel.Debug, Message = "Metadata refresh before a retry failed: {Reason}")]
    public static partial void RefreshFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "{Operation} done for {Count} item(s)")]
    public static partial void Done(ILogger logger, string operation, int count);
}
