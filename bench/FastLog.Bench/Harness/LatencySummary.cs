using HdrHistogram;

namespace FastLog.Bench.Harness;

/// <summary>Percentiles of one latency histogram, in milliseconds; <see cref="Count"/> values were recorded.</summary>
internal sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double P999Ms, double MaxMs)
{
    /// <summary>Summarises a histogram of microseconds; null when it holds nothing.</summary>
    public static LatencySummary? Of(HistogramBase micros) => micros.TotalCount == 0
        ? null
        : new LatencySummary(
            micros.TotalCount,
            micros.GetValueAtPercentile(50) / 1000.0,
            micros.GetValueAtPercentile(99) / 1000.0,
            micros.GetValueAtPercentile(99.9) / 1000.0,
            micros.GetMaxValue() / 1000.0);

    /// <summary>A histogram for latencies in µs from 1 µs to 10 minutes with 3 significant digits.</summary>
    public static LongHistogram NewHistogram() => new(10L * 60 * 1_000_000, 3);
}
