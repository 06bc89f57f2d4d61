namespace FastLog.Engine.Index;

/// <summary>
/// One time index entry, absolute: records up to <paramref name="Offset"/> carry timestamps of at
/// most <paramref name="Timestamp"/> (milliseconds since the Unix epoch), so a search for a time
/// starts reading the log no later than that offset.
/// </summary>
public readonly record struct TimestampOffset(long Timestamp, long Offset);
