using FastLog.Engine.Commit;

namespace FastLog.Server.Metrics;

/// <summary>
/// The engine's fsyncs as the broker counts them: the group committers of every log directory
/// report each <see cref="IFlushable.FlushToDisk"/> here (on their flusher threads), and the
/// scrape reads the histogram. Lock-free and allocation-free, as the flusher requires.
/// </summary>
internal sealed class FlushMetrics : IFlushObserver
{
    private long _errors;

    /// <summary>Duration of every fsync, failed ones included; its count is the number of fsyncs.</summary>
    public LatencyHistogram Duration { get; } = new(TimeSpan.TicksPerSecond);

    public long Errors => Volatile.Read(ref _errors);

    /// <summary>Duration of every sync that prepared an active segment's zero-filled tail (failed ones included).</summary>
    public LatencyHistogram PreparationDuration { get; } = new(TimeSpan.TicksPerSecond);

    public void OnFlushed(TimeSpan duration, bool succeeded)
    {
        Duration.Observe(duration.Ticks);
        if (!succeeded)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    public void OnPrepared(TimeSpan duration, bool succeeded)
    {
        PreparationDuration.Observe(duration.Ticks);
        if (!succeeded)
        {
            Interlocked.Increment(ref _errors);
        }
    }
}
