using FastLog.Protocol;

namespace FastLog.Server.Metadata;

/// <summary>The answer to a metadata change: Kafka's error code and message (None on success).</summary>
public readonly record struct ControllerResult(ErrorCode Error, string? Message)
{
    public static ControllerResult Ok => new(ErrorCode.None, null);

    public bool IsOk => Error == ErrorCode.None;

    public static ControllerResult Fail(ErrorCode error, string message) => new(error, message);
}
