namespace FastLog.Protocol;

/// <summary>
/// A tagged field this codec does not know, kept as raw payload so a message can be re-written unchanged.
/// Lists of these must be in ascending tag order (as read); the writer merges them with known tags.
/// </summary>
public sealed record TaggedField(uint Tag, byte[] Payload);
