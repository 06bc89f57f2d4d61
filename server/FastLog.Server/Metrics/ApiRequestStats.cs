using System.Diagnostics;

namespace FastLog.Server.Metrics;

/// <summary>
/// Counters of one Kafka API: requests received, requests that failed, and how long answered ones
/// took. Updated by the request dispatcher with <see cref="Interlocked"/> operations only, so the
/// request path neither locks nor allocates; read at scrape time.
/// </summary>
internal sealed class ApiRequestStats
{
    private long _requests;
    private long _errors;

    public ApiRequestStats(string label, bool served)
    {
        Label = label;
        Served = served;
    }

    /// <summary>The <c>api</c> label value: Kafka's name of the API (Produce, Fetch, ...).</summary>
    public string Label { get; }

    /// <summary>A handler serves this API, so its series are exposed even while still zero.</summary>
    public bool Served { get; }

    public long Requests => Volatile.Read(ref _requests);

    public long Errors => Volatile.Read(ref _errors);

    /// <summary>From dispatch until the answer was ready (acks=0 produce included); failed requests are not observed.</summary>
    public LatencyHistogram Duration { get; } = new(Stopwatch.Frequency);

    public void Received() => Interlocked.Increment(ref _requests);

    public void Answered(long startTimestamp) => Duration.Observe(Stopwatch.GetTimestamp() - startTimestamp);

    public void Failed() => Interlocked.Increment(ref _errors);
}
