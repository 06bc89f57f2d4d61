using System.Diagnostics;
using System.Globalization;

namespace FastLog.Bench.Harness;

/// <summary>
/// Every measured acknowledgement slower than a threshold, with when its record was sent
/// (<c>--slow-acks FILE</c>). A p99 is only a count; this file says whether the slow records are
/// spread over the run or come in bursts, and when, so they can be lined up with what the broker
/// logged at the same moment: <c>sent_monotonic_ms</c> is <see cref="Stopwatch"/>'s clock
/// (CLOCK_MONOTONIC on Linux), the same in every process on the machine.
/// </summary>
/// <remarks>
/// CSV columns (the scenario quoted): scenario, sent_ms (since the scenario's measurement started), latency_ms,
/// sent_monotonic_ms. Writes happen on the acknowledging thread, under a lock, only for records
/// over the threshold; a run whose records are all slow writes one line per record.
/// </remarks>
internal sealed class SlowAckLog : IDisposable
{
    private static readonly double MillisPerTick = 1e3 / Stopwatch.Frequency;
    private readonly Lock _lock = new();
    private readonly StreamWriter _writer;

    public SlowAckLog(string path, double thresholdMs)
    {
        ThresholdMicros = (long)(thresholdMs * 1000);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        _writer = new StreamWriter(path, append: false) { NewLine = "\r\n" }; // RFC 4180, like the result CSV
        _writer.WriteLine("scenario,sent_ms,latency_ms,sent_monotonic_ms");
    }

    /// <summary>Acknowledgements over this many microseconds are written.</summary>
    public long ThresholdMicros { get; }

    public void Add(string scenario, long sendTicks, long measureFromTicks, long latencyMicros)
    {
        var c = CultureInfo.InvariantCulture;
        lock (_lock)
        {
            _writer.WriteLine(string.Create(c, $"\"{scenario}\",{(sendTicks - measureFromTicks) * MillisPerTick:F3},{latencyMicros / 1000.0:F3},{sendTicks * MillisPerTick:F3}"));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}
