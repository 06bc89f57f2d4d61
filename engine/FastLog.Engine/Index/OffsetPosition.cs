namespace FastLog.Engine.Index;

/// <summary>
/// One offset index entry, absolute: <paramref name="Offset"/> is the first offset of a batch and
/// <paramref name="Position"/> the byte position of that batch in the segment's .log file.
/// </summary>
public readonly record struct OffsetPosition(long Offset, int Position);
