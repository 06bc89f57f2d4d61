namespace FastLog.Engine.Log;

/// <summary>
/// cleanup.policy: what happens to old data. Kafka's value is a list (<c>delete</c>, <c>compact</c>
/// or <c>compact,delete</c>), hence flags.
/// </summary>
[Flags]
public enum CleanupPolicy
{
    /// <summary>Whole closed segments go by retention.ms / retention.bytes.</summary>
    Delete = 1,

    /// <summary>The log cleaner keeps the latest record per key.</summary>
    Compact = 2,

    /// <summary><c>compact,delete</c>: compacted, and old segments also expire by retention.</summary>
    CompactAndDelete = Delete | Compact,
}
