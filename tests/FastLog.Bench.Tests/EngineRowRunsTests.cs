using FastLog.Bench.Engine;

namespace FastLog.Bench.Tests;

/// <summary>How the engine harness picks the figure it reports when a row runs several times.</summary>
public sealed class EngineRowRunsTests
{
    [Fact]
    public void Median_of_an_odd_count_is_the_middle_run()
    {
        var runs = Runs(300, 500, 400);

        var median = runs.MedianBy(r => r.AppendMBps);

        Assert.NotNull(median);
        Assert.Equal(400, median.AppendMBps, precision: 6);
        Assert.Equal((300.0, 500.0), runs.RangeOf(r => r.AppendMBps));
    }

    [Fact]
    public void Median_of_an_even_count_is_the_lower_middle_run()
    {
        var runs = Runs(700, 100, 400, 600);

        Assert.Equal(400, runs.MedianBy(r => r.AppendMBps)!.AppendMBps, precision: 6);
    }

    [Fact]
    public void Each_figure_picks_its_own_median_run()
    {
        var runs = new RowRuns();
        runs.Add(Run(appendMBps: 100, readMBps: 900));
        runs.Add(Run(appendMBps: 200, readMBps: 100));
        runs.Add(Run(appendMBps: 300, readMBps: 500));

        Assert.Equal(200, runs.MedianBy(r => r.AppendMBps)!.AppendMBps, precision: 6);
        Assert.Equal(500, runs.MedianBy(r => r.ReadMBps)!.ReadMBps, precision: 6);
    }

    [Fact]
    public void Failed_runs_are_left_out_and_no_completed_run_gives_no_figure()
    {
        var runs = new RowRuns();
        runs.Add(new RowResult { Engine = "FasterLog", Error = "IOException: disk gone" });
        Assert.Null(runs.MedianBy(r => r.AppendMBps));
        Assert.Null(runs.RangeOf(r => r.AppendMBps));

        runs.Add(Run(appendMBps: 250, readMBps: 1000));
        Assert.Equal(250, runs.MedianBy(r => r.AppendMBps)!.AppendMBps, precision: 6);

        // One completed run has no spread to show.
        Assert.Null(runs.RangeOf(r => r.AppendMBps));
        Assert.Equal(2, runs.All.Count);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void Runs_must_be_positive(string value)
    {
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--runs", value]));
    }

    [Fact]
    public void Runs_default_to_one_and_parse()
    {
        Assert.Equal(1, BenchOptions.Parse([])!.Runs);
        Assert.Equal(3, BenchOptions.Parse(["--runs", "3"])!.Runs);
    }

    private static RowRuns Runs(params double[] appendMBps)
    {
        var runs = new RowRuns();
        foreach (double rate in appendMBps)
        {
            runs.Add(Run(rate, readMBps: 1000));
        }

        return runs;
    }

    // One second of appends and of reads, so the byte counts are the rates in MB/s.
    private static RowResult Run(double appendMBps, double readMBps) => new()
    {
        Engine = "FastLog",
        Batches = 1,
        Bytes = (long)(appendMBps * 1e6),
        Records = 1,
        AppendSeconds = 1,
        DurableSeconds = 1,
        ReadBytes = (long)(readMBps * 1e6),
        ReadRecords = 1,
        ReadSeconds = 1,
    };
}
