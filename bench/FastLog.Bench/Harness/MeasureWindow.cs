using System.Diagnostics;

namespace FastLog.Bench.Harness;

/// <summary>
/// Where a scenario's measurement starts: records sent before <see cref="FromTicks"/> (the lead-in of
/// a latency run) are acknowledged and read, but their latencies are not recorded. Set once by the
/// scenario runner before any producer starts; until then every send counts.
/// </summary>
internal sealed class MeasureWindow
{
    private long _fromTicks = long.MinValue;

    /// <summary>The first <see cref="Stopwatch"/> timestamp whose sends are measured.</summary>
    public long FromTicks
    {
        get => Volatile.Read(ref _fromTicks);
        set => Volatile.Write(ref _fromTicks, value);
    }

    /// <summary>Whether a record sent at <paramref name="sendTicks"/> belongs to the measurement.</summary>
    public bool Measures(long sendTicks) => sendTicks >= FromTicks;
}
