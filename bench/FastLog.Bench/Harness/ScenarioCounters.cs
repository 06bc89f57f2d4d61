namespace FastLog.Bench.Harness;

/// <summary>Live counts of a running scenario, read by the progress display while the scenario's threads write them.</summary>
internal sealed class ScenarioCounters
{
    private long _sent;
    private long _acked;
    private long _consumed;

    public ScenarioCounters(string label, long expected)
    {
        Label = label;
        Expected = expected;
    }

    public string Label { get; }

    public long Expected { get; }

    public long Sent => Interlocked.Read(ref _sent);

    public long Acked => Interlocked.Read(ref _acked);

    public long Consumed => Interlocked.Read(ref _consumed);

    public void AddSent(long n) => Interlocked.Add(ref _sent, n);

    public void AddAcked() => Interlocked.Increment(ref _acked);

    public void AddConsumed(long n) => Interlocked.Add(ref _consumed, n);
}
