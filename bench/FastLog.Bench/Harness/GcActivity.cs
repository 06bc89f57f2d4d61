namespace FastLog.Bench.Harness;

/// <summary>
/// Garbage collections of the harness process over a measured window: how many, how many of them
/// full (gen2), and how long the runtime held managed threads paused for them.
/// </summary>
/// <remarks>
/// Why: a latency run's slow acknowledgements may be the harness's own pauses rather than the broker's;
/// with the collections of the same window beside the percentiles a reader can tell. Counts come from
/// <see cref="GC.CollectionCount"/>, which counts a gen2 collection in gen0 and gen1 too; the pause
/// time from <see cref="GC.GetTotalPauseDuration"/>.
/// </remarks>
internal readonly record struct GcActivity(int Collections, int Gen2Collections, double PausedMs)
{
    /// <summary>The process's totals now, to subtract from later ones.</summary>
    public static GcActivity Now() =>
        new(GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds);

    /// <summary>What happened between <paramref name="before"/> and now.</summary>
    public static GcActivity Since(GcActivity before)
    {
        var now = Now();
        return new GcActivity(now.Collections - before.Collections, now.Gen2Collections - before.Gen2Collections, now.PausedMs - before.PausedMs);
    }
}
