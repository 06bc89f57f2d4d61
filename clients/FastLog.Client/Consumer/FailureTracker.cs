namespace FastLog.Client.Consumer;

/// <summary>
/// Turns a streak of retriable failures of one background loop into an error the application sees: retries go on
/// (a broker restart should not kill a consumer), but once failures have lasted <c>request.timeout.ms</c> the
/// latest is reported through the consume call — so an unreachable cluster is a clear error within a bounded
/// time, never a silent hang. Reported again after each further period of failure.
/// </summary>
internal sealed class FailureTracker(TimeSpan reportAfter, Action<KafkaException> report)
{
    private long _since;

    public void Success() => Volatile.Write(ref _since, 0);

    /// <param name="failure">What went wrong.</param>
    /// <param name="attemptStartedTicks">When the failed attempt began (<see cref="MonotonicClock.NowMs"/>): a streak starts there.</param>
    public void Failure(KafkaException failure, long attemptStartedTicks)
    {
        long now = MonotonicClock.NowMs;
        long since = Volatile.Read(ref _since);
        if (since == 0)
        {
            since = Math.Max(1, attemptStartedTicks);
            Volatile.Write(ref _since, since);
        }

        if (now - since >= (long)reportAfter.TotalMilliseconds)
        {
            Volatile.Write(ref _since, now);
            report(failure);
        }
    }
}
