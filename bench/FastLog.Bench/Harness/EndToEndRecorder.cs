using System.Buffers.Binary;
using System.Diagnostics;
using FastLog.Bench.Clients;
using HdrHistogram;

namespace FastLog.Bench.Harness;

/// <summary>
/// What the consumer saw: records, value bytes, and end-to-end latency — the moment the record is
/// handed to the harness minus the send time the producer wrote into the first 8 bytes of the value.
/// Producer and consumer run in the same process, so both read the same monotonic clock
/// (<see cref="Stopwatch"/>); no wall-clock skew enters the figure. Used by one polling thread.
/// Records sent before the <see cref="MeasureWindow"/> opens are counted but their latency is not
/// recorded.
/// </summary>
internal sealed class EndToEndRecorder(ScenarioCounters counters, bool recordLatency, MeasureWindow window) : IRecordSink
{
    private static readonly double MicrosPerTick = 1e6 / Stopwatch.Frequency;
    private int _primers;

    public LongHistogram Histogram { get; } = LatencySummary.NewHistogram();

    public long Records { get; private set; }

    public long Bytes { get; private set; }

    public long FirstTicks { get; private set; }

    public long LastTicks { get; private set; }

    /// <summary>Primer records seen (their send time is <see cref="ScenarioRunner.PrimerTicks"/>); not counted as records.</summary>
    public int Primers => Volatile.Read(ref _primers);

    public void OnRecord(ReadOnlySpan<byte> value)
    {
        if (value.Length >= sizeof(long) && BinaryPrimitives.ReadInt64LittleEndian(value) == ScenarioRunner.PrimerTicks)
        {
            Interlocked.Increment(ref _primers);
            return;
        }

        long now = Stopwatch.GetTimestamp();
        if (Records == 0)
        {
            FirstTicks = now;
        }

        Records++;
        Bytes += value.Length;
        LastTicks = now;
        if (recordLatency && value.Length >= sizeof(long))
        {
            long sent = BinaryPrimitives.ReadInt64LittleEndian(value);
            if (sent > 0 && sent <= now && window.Measures(sent))
            {
                Histogram.RecordValue(Math.Max(1, (long)((now - sent) * MicrosPerTick)));
            }
        }

        counters.AddConsumed(1);
    }
}
