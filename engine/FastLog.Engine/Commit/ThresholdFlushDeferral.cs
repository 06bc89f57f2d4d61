namespace FastLog.Engine.Commit;

/// <summary>
/// Holds back the flushes a <see cref="CommitPolicyKind.EveryMessages"/> threshold asks for while one
/// thread appends a group of batches (the partitions of one Produce request), and asks for each of them
/// once, when the group ends.
/// </summary>
/// <remarks>
/// <para>Why: with a threshold of one message and a commit journal, every partition of a request crossed
/// the journal's threshold in turn. The first append woke a flusher, whose fsync then covered only that
/// partition; the request's other partitions, appended during that fsync, needed another one. Measured
/// with 16 partitions per request at 66 k records/s: 2.6 journal fsyncs per Produce request, against one
/// when the request's own durability wait asked for it. The records of a group become durable a few
/// microseconds later (after the last append of the group instead of after the first), in one fsync.</para>
/// <para>Use: <c>using (ThresholdFlushDeferral.Begin()) { appends }</c> on one thread, with no await
/// inside (the state is per thread). Scopes nest; the outermost one asks for the flushes. Waiters and
/// explicit requests (<see cref="CommitTracker.RequestFlush"/>) are never held back.</para>
/// </remarks>
public readonly struct ThresholdFlushDeferral : IDisposable
{
    [ThreadStatic]
    private static int t_depth;

    // Allocated once per thread that ever defers; emptied at the end of each outermost scope.
    [ThreadStatic]
    private static List<CommitTracker>? t_deferred;

    private readonly bool _active;

    private ThresholdFlushDeferral(bool active) => _active = active;

    /// <summary>Starts holding back threshold flushes on this thread until the returned scope is disposed.</summary>
    public static ThresholdFlushDeferral Begin()
    {
        t_depth++;
        return new ThresholdFlushDeferral(active: true);
    }

    /// <summary>Whether a scope is open on this thread (tests).</summary>
    internal static bool IsActive => t_depth > 0;

    /// <summary>Asks for every held-back flush, once the outermost scope ends.</summary>
    public void Dispose()
    {
        if (!_active || --t_depth > 0)
        {
            return;
        }

        var deferred = t_deferred;
        if (deferred is null || deferred.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var tracker in deferred)
            {
                tracker.RequestFlush();
            }
        }
        finally
        {
            deferred.Clear();
        }
    }

    /// <summary>Within a scope, records <paramref name="tracker"/> to be asked for at its end and returns true; otherwise false.</summary>
    internal static bool TryDefer(CommitTracker tracker)
    {
        if (t_depth == 0)
        {
            return false;
        }

        var deferred = t_deferred ??= new List<CommitTracker>(4);

        // A request touches few trackers (with a journal, one); a linear check keeps the list free of repeats.
        if (!deferred.Contains(tracker))
        {
            deferred.Add(tracker);
        }

        return true;
    }
}
