namespace FastLog.Bench.Harness;

/// <summary>What one scenario measured. Rates are per second of the phase; MB = 10^6 bytes of values.</summary>
internal sealed record ScenarioResult
{
    public required Scenario Scenario { get; init; }

    public required string Broker { get; init; }

    /// <summary>Measured records the producers sent (the lead-in not included).</summary>
    public long Sent { get; init; }

    /// <summary>Measured records the broker acknowledged without error.</summary>
    public long Acked { get; init; }

    /// <summary>Latency mode: lead-in records acknowledged before the measurement window opened.</summary>
    public long LeadInAcked { get; init; }

    public long Errors { get; init; }

    public string? FirstError { get; init; }

    /// <summary>First measured send slot to last acknowledgement.</summary>
    public double ProduceSeconds { get; init; }

    public double ProduceRecordsPerSecond => ProduceSeconds > 0 ? Acked / ProduceSeconds : 0;

    public double ProduceMBps => ProduceSeconds > 0 ? Acked * (double)Scenario.RecordBytes / 1e6 / ProduceSeconds : 0;

    /// <summary>The rate the scenario asked for (latency mode), records/s in total.</summary>
    public double? TargetRate => Scenario.Rate;

    public LatencySummary? AckLatency { get; init; }

    /// <summary>Latency mode: how late each send left against its slot in the fixed-rate schedule.</summary>
    public LatencySummary? SendDelay { get; init; }

    public LatencySummary? EndToEnd { get; init; }

    public string Consume { get; init; } = "none";

    /// <summary>Every record read back, the lead-in's included (consume figures cover the whole run).</summary>
    public long Consumed { get; init; }

    public double ConsumeSeconds { get; init; }

    public double ConsumeRecordsPerSecond => ConsumeSeconds > 0 ? Consumed / ConsumeSeconds : 0;

    public double ConsumeMBps => ConsumeSeconds > 0 ? Consumed * (double)Scenario.RecordBytes / 1e6 / ConsumeSeconds : 0;

    /// <summary>CPU seconds per wall second of the harness process during the produce phase (it includes an in-process broker).</summary>
    public double ClientCores { get; init; }

    /// <summary>Same for a broker in a child process; null otherwise.</summary>
    public double? BrokerCores { get; init; }

    /// <summary>Every process on the machine, from /proc/stat.</summary>
    public double MachineCores { get; init; }

    /// <summary>Of <see cref="MachineCores"/>, the time the host took from this virtual machine's CPUs (steal), in cores.</summary>
    public double StolenCores { get; init; }

    /// <summary>The harness process's garbage collections over the same window as its CPU (an in-process broker's included).</summary>
    public GcActivity HarnessGc { get; init; }

    /// <summary>Why the scenario did not complete; null when it did.</summary>
    public string? Failure { get; init; }

    /// <summary>Every acknowledged record was consumed back (when the scenario consumes).</summary>
    public bool CountsMatch => Consume == "none" || Consumed == Acked + LeadInAcked;
}
