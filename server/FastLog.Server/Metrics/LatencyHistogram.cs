using System.Globalization;

namespace FastLog.Server.Metrics;

/// <summary>
/// A Prometheus histogram of durations with fixed buckets, recorded lock-free and without allocation.
/// </summary>
/// <remarks>
/// <para>Recording: a duration arrives as integer ticks of a stated frequency (Stopwatch ticks for
/// requests, TimeSpan ticks for fsyncs), is compared with the bucket bounds pre-converted to those
/// ticks (a short linear scan; the fast buckets come first), and costs two <see cref="Interlocked"/>
/// adds: the bucket and the sum. No doubles, no locks, nothing allocated.</para>
/// <para>Reading (<see cref="Snapshot"/>, scrape time): buckets are read one by one while recording
/// goes on, so a snapshot is not one instant; the count is derived from the buckets read, which keeps
/// <c>_count</c> equal to the <c>+Inf</c> bucket and every cumulative bucket monotonic, as Prometheus
/// requires. The sum may lag or lead the buckets by the observations racing the scrape.</para>
/// </remarks>
internal sealed class LatencyHistogram
{
    /// <summary>
    /// Upper bounds in seconds, 100 µs to 10 s: an in-process metadata request or a page-cache
    /// produce answers in well under a millisecond, an fsync takes from tens of microseconds (NVMe)
    /// to tens of milliseconds (disks, contended devices), and long polls and rebalances wait for seconds.
    /// </summary>
    public static readonly double[] DefaultBoundsSeconds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly long[] _boundTicks;
    private readonly long[] _counts;
    private readonly long _ticksPerSecond;
    private long _sumTicks;

    public LatencyHistogram(long ticksPerSecond, double[]? boundsSeconds = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ticksPerSecond, 1);
        double[] bounds = boundsSeconds ?? DefaultBoundsSeconds;
        _ticksPerSecond = ticksPerSecond;
        _boundTicks = new long[bounds.Length];
        var labels = new string[bounds.Length];
        for (int i = 0; i < bounds.Length; i++)
        {
            if (i > 0 && bounds[i] <= bounds[i - 1])
            {
                throw new ArgumentException("bucket bounds must increase", nameof(boundsSeconds));
            }

            _boundTicks[i] = (long)Math.Round(bounds[i] * ticksPerSecond);
            labels[i] = bounds[i].ToString("R", CultureInfo.InvariantCulture);
        }

        BoundsSeconds = bounds;
        BoundLabels = labels;
        _counts = new long[bounds.Length + 1];
    }

    /// <summary>Bucket upper bounds in seconds, ascending; the +Inf bucket is implicit.</summary>
    public IReadOnlyList<double> BoundsSeconds { get; }

    /// <summary>The bounds as <c>le</c> label values, formatted once.</summary>
    public IReadOnlyList<string> BoundLabels { get; }

    /// <summary>Records one duration given in ticks of this histogram's frequency. Negative counts as zero.</summary>
    public void Observe(long ticks)
    {
        if (ticks < 0)
        {
            ticks = 0;
        }

        var bounds = _boundTicks;
        int bucket = 0;
        while (bucket < bounds.Length && ticks > bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, ticks);
    }

    /// <summary>Non-cumulative bucket counts (the last one is +Inf) and the sum in seconds, read now.</summary>
    public HistogramSnapshot Snapshot()
    {
        var counts = new long[_counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            counts[i] = Volatile.Read(ref _counts[i]);
        }

        return new HistogramSnapshot(this, counts, (double)Interlocked.Read(ref _sumTicks) / _ticksPerSecond);
    }
}
