using System.Diagnostics;
using HdrHistogram;

namespace FastLog.Bench.Engine;

/// <summary>What one engine did in one row: the append phase, its durability, and the read-back.</summary>
internal sealed class RowResult
{
    public required string Engine { get; init; }

    public long Batches { get; set; }

    public long Bytes { get; set; }

    public long Records { get; set; }

    /// <summary>Wall time of the append phase (page cache: until the last append returned).</summary>
    public double AppendSeconds { get; set; }

    /// <summary>Wall time until everything appended was durable (page cache: append phase plus one final flush/commit).</summary>
    public double DurableSeconds { get; set; }

    /// <summary>True when the row stopped at --row-seconds before writing --total-mb.</summary>
    public bool HitTimeCap { get; set; }

    /// <summary>Append-to-durable latency of each append (group commit rows), in Stopwatch ticks.</summary>
    public LongHistogram? Latency { get; set; }

    /// <summary>fsyncs the FastLog group committer issued (group commit rows).</summary>
    public long? Flushes { get; set; }

    public long ReadBytes { get; set; }

    public long ReadRecords { get; set; }

    public double ReadSeconds { get; set; }

    public string? Error { get; set; }

    public double AppendMBps => Bytes / 1e6 / AppendSeconds;

    public double AppendRecordsPerSecond => Records / AppendSeconds;

    public double DurableMBps => Bytes / 1e6 / DurableSeconds;

    public double DurableRecordsPerSecond => Records / DurableSeconds;

    public double ReadMBps => ReadBytes / 1e6 / ReadSeconds;

    public double ReadRecordsPerSecond => ReadRecords / ReadSeconds;

    public double LatencyMicros(double percentile) =>
        Latency is null || Latency.TotalCount == 0 ? double.NaN : Latency.GetValueAtPercentile(percentile) * 1e6 / Stopwatch.Frequency;

    public static LongHistogram NewHistogram() => new(Stopwatch.Frequency * 60, 3);
}
