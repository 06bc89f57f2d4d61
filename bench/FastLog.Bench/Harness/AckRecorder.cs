using System.Diagnostics;
using FastLog.Bench.Clients;
using HdrHistogram;

namespace FastLog.Bench.Harness;

/// <summary>
/// Produce-acknowledgement latency of one producer: send timestamp to the client's acknowledgement,
/// in µs. A lock guards the histogram because an adapter may report from more than one thread;
/// uncontended it costs a few tens of nanoseconds per record. Records sent before the
/// <see cref="MeasureWindow"/> opens are counted apart and not recorded. Measured acknowledgements
/// over the <see cref="SlowAckLog"/>'s threshold are also written there, when there is one.
/// </summary>
internal sealed class AckRecorder(ScenarioCounters counters, MeasureWindow window, SlowAckLog? slowAcks = null, string scenario = "") : IAckSink
{
    private static readonly double MicrosPerTick = 1e6 / Stopwatch.Frequency;
    private readonly Lock _lock = new();

    public LongHistogram Histogram { get; } = LatencySummary.NewHistogram();

    /// <summary>Successful acknowledgements of measured records.</summary>
    public long Acked { get; private set; }

    /// <summary>Successful acknowledgements of records sent before the measurement window.</summary>
    public long LeadInAcked { get; private set; }

    public long Errors { get; private set; }

    public string? FirstError { get; private set; }

    public long LastAckTicks { get; private set; }

    public void OnAck(long sendTicks, string? error)
    {
        if (sendTicks == ScenarioRunner.PrimerTicks)
        {
            return; // a primer record, not part of the measurement
        }

        long now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (error is null && !window.Measures(sendTicks))
            {
                LeadInAcked++;
            }
            else if (error is null)
            {
                Acked++;
                long micros = Math.Max(1, (long)((now - sendTicks) * MicrosPerTick));
                Histogram.RecordValue(micros);
                if (slowAcks is not null && micros > slowAcks.ThresholdMicros)
                {
                    slowAcks.Add(scenario, sendTicks, window.FromTicks, micros);
                }
            }
            else
            {
                Errors++;
                FirstError ??= error;
            }

            LastAckTicks = now;
        }

        counters.AddAcked();
    }
}
