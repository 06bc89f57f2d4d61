using FastLog.Protocol;

namespace FastLog.Server.Coordinator;

/// <summary>The coordinator's SyncGroup answer: this member's assignment bytes.</summary>
internal sealed record SyncGroupResult(ErrorCode Error, string? ProtocolType, string? ProtocolName, byte[] Assignment)
{
    public static SyncGroupResult Failed(ErrorCode error) => new(error, null, null, []);
}
