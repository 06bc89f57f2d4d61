namespace FastLog.Bench.Harness;

/// <summary>How a scenario reads back what it produced.</summary>
internal enum ConsumeMode
{
    /// <summary>A consumer reads while the producers write: end-to-end latency, consume rate bounded by the produce rate.</summary>
    Live,

    /// <summary>A consumer reads the whole topic after the produce phase: catch-up read throughput.</summary>
    After,

    /// <summary>Produce only.</summary>
    None,
}
