namespace FastLog.Server.Coordinator;

/// <summary>One protocol a member supports (an assignor name for consumers) and its opaque metadata.</summary>
internal sealed record GroupProtocol(string Name, byte[] Metadata);
