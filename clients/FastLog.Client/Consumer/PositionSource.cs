namespace FastLog.Client.Consumer;

/// <summary>Where an unknown position comes from.</summary>
internal enum PositionSource
{
    /// <summary>The position is known.</summary>
    Known = 0,

    /// <summary>The group's committed offset (OffsetFetch), falling back to <c>auto.offset.reset</c>.</summary>
    Committed = 1,

    /// <summary>The log start (ListOffsets -2).</summary>
    Earliest = 2,

    /// <summary>The log end (ListOffsets -1).</summary>
    Latest = 3,

    /// <summary><c>auto.offset.reset=none</c> and nothing to start from: an error for the application.</summary>
    Fail = 4,
}
