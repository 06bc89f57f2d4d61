namespace FastLog.Bench.Engine;

/// <summary>
/// Every run of one engine in one row. The report shows, for each figure, the run whose figure is
/// the median, with the spread beside it: on a shared machine one run can flip a ratio.
/// </summary>
internal sealed class RowRuns
{
    private readonly List<RowResult> _runs = [];

    public IReadOnlyList<RowResult> All => _runs;

    /// <summary>Runs that produced figures (a run that failed before its first batch did not).</summary>
    public IEnumerable<RowResult> Completed => _runs.Where(r => !IsFailed(r));

    public void Add(RowResult result) => _runs.Add(result);

    /// <summary>The completed run whose <paramref name="figure"/> is the median (the lower middle one of an even count); null when none completed.</summary>
    public RowResult? MedianBy(Func<RowResult, double> figure)
    {
        var ordered = Completed.OrderBy(figure).ToList();
        return ordered.Count == 0 ? null : ordered[(ordered.Count - 1) / 2];
    }

    /// <summary>Lowest and highest <paramref name="figure"/> over the completed runs; null when fewer than two completed.</summary>
    public (double Min, double Max)? RangeOf(Func<RowResult, double> figure)
    {
        var values = Completed.Select(figure).ToList();
        return values.Count < 2 ? null : (values.Min(), values.Max());
    }

    public static bool IsFailed(RowResult? result) => result is null || (result.Error is not null && result.Batches == 0);
}
