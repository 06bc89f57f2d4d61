namespace FastLog.Server.Metrics;

/// <summary>What a <see cref="LatencyHistogram"/> held when scraped: per-bucket counts (last = +Inf) and the sum in seconds.</summary>
internal sealed record HistogramSnapshot(LatencyHistogram Histogram, long[] BucketCounts, double SumSeconds)
{
    /// <summary>Observations in all buckets together (Prometheus' <c>_count</c>, equal to the +Inf bucket).</summary>
    public long Count => BucketCounts.Sum();
}
