namespace FastLog.Engine.Commit;

/// <summary>
/// Told about every fsync a <see cref="GroupCommitter"/> makes, so the host can count and time them
/// (the broker turns this into its fsync latency histogram).
/// </summary>
/// <remarks>
/// A plain callback rather than a metrics library: the engine stays free of any telemetry
/// dependency and of any opinion about buckets or exposition; whoever embeds it decides.
/// Threading: called on the committer's flusher thread, once per <see cref="IFlushable.FlushToDisk"/>
/// call, after the sync returned or threw and before the waiters it covers are completed (so a
/// producer whose wait completed can already see its fsync counted). Implementations must be cheap
/// and must not block or throw: every partition of the log directory waits behind the flusher.
/// </remarks>
public interface IFlushObserver
{
    /// <summary>One fsync finished: how long <see cref="IFlushable.FlushToDisk"/> took, and whether it succeeded.</summary>
    void OnFlushed(TimeSpan duration, bool succeeded);

    /// <summary>
    /// One <see cref="IFlushable.AfterFlush"/> that synced something of its own (the partition log's
    /// zero-filled tail) finished, or threw: how long it took, and whether it succeeded. These syncs
    /// answer no waiter, but they occupy a flusher and the device, so they are counted apart.
    /// </summary>
    void OnPrepared(TimeSpan duration, bool succeeded)
    {
    }
}
