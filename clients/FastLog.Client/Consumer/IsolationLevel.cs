namespace FastLog.Client.Consumer;

/// <summary><c>isolation.level</c>: whether records of open or aborted transactions are returned.</summary>
public enum IsolationLevel
{
    /// <summary><c>read_uncommitted</c>: everything up to the high watermark (Kafka's default).</summary>
    ReadUncommitted = 0,

    /// <summary><c>read_committed</c>: up to the last stable offset, skipping records of aborted transactions.</summary>
    ReadCommitted = 1,
}
