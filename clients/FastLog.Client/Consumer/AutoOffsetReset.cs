namespace FastLog.Client.Consumer;

/// <summary><c>auto.offset.reset</c>: where to start when there is no committed offset or it is out of range.</summary>
public enum AutoOffsetReset
{
    /// <summary><c>latest</c>: at the log end, reading only new records (Kafka's default).</summary>
    Latest = 0,

    /// <summary><c>earliest</c>: at the log start.</summary>
    Earliest = 1,

    /// <summary><c>none</c>: fail with an error the consume call reports.</summary>
    None = 2,
}
