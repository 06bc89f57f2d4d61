namespace FastLog.Engine.Commit;

/// <summary>What makes a <see cref="GroupCommitter"/> flush a partition; see <see cref="CommitPolicy"/>.</summary>
public enum CommitPolicyKind
{
    /// <summary>Flush as soon as someone waits for durability.</summary>
    Immediate,

    /// <summary>Flush dirty partitions on every tick of a fixed interval.</summary>
    EveryInterval,

    /// <summary>Flush a partition once a number of messages were appended since its last flush.</summary>
    EveryMessages,
}
