using System.Globalization;

namespace FastLog.Bench.Comparison;

/// <summary>One produce-then-consume run of one row against one target.</summary>
internal sealed class Run(Row row, string target, int repetition)
{
    public Row Row { get; } = row;

    public string Target { get; } = target;

    public int Repetition { get; } = repetition;

    public ProduceResult? Produce { get; set; }

    public ConsumeResult? Consume { get; set; }

    public string? Error { get; set; }

    public string Summary()
    {
        if (Error is not null)
        {
            return $"FAILED {Error}";
        }

        var p = Produce!;
        var c = Consume!;
        return string.Create(CultureInfo.InvariantCulture,
            $"produce {p.RecordsPerSecond / 1e6:F3} M rec/s {p.MBps:F0} MB/s p50 {p.P50Micros / 1000.0:F1} p99 {p.P99Micros / 1000.0:F1} p99.9 {p.P999Micros / 1000.0:F1} ms, cpu client {p.ClientCpuSeconds / p.Seconds:F2} broker {p.BrokerCpuSeconds / p.Seconds:F2}, flushes {p.Disk.FlushesCompleted}; consume {c.RecordsPerSecond / 1e6:F3} M rec/s {c.MBps:F0} MB/s in {c.Passes} pass(es) over {c.LogRecords} records, cpu client {c.ClientCpuSeconds / c.Seconds:F2} broker {c.BrokerCpuSeconds / c.Seconds:F2}");
    }
}
