using System.Diagnostics;
using FastLog.Bench.Common;

namespace FastLog.Bench.Tests;

public sealed class CpuStatTests
{
    private const string Start = """
        cpu  1000 0 500 20000 300 0 40 10 0 0
        cpu0 500 0 250 10000 150 0 20 5 0 0
        cpu1 500 0 250 10000 150 0 20 5 0 0
        intr 123 0 0
        ctxt 4567
        """;

    [Fact]
    public void Parse_takes_idle_plus_iowait_and_counts_the_cpus()
    {
        var stat = CpuStat.Parse(Start, timestamp: 42);

        Assert.Equal(20_300, stat.IdleTicks);
        Assert.Equal(10, stat.StealTicks);
        Assert.Equal(2, stat.Cpus);
        Assert.Equal(42, stat.Timestamp);
    }

    [Fact]
    public void Busy_cores_are_wall_time_times_cpus_minus_idle_even_when_the_busy_fields_fall_short()
    {
        // 8 s of wall time on 2 CPUs, 6 s of idle and iowait: 10 s busy, 1.25 cores, although the busy
        // fields grew by only 4 s (ticks missed bursts), which busy / (busy + idle) would call 0.8 cores.
        const string end = """
            cpu  1300 0 600 20550 350 0 40 10 0 0
            cpu0 650 0 300 10275 175 0 20 5 0 0
            cpu1 650 0 300 10275 175 0 20 5 0 0
            """;
        long eightSeconds = 8 * Stopwatch.Frequency;

        double cores = CpuStat.BusyCores(CpuStat.Parse(Start, 0), CpuStat.Parse(end, eightSeconds));

        Assert.Equal(1.25, cores, 3);
    }

    [Fact]
    public void Stolen_cores_are_the_steal_ticks_per_wall_second_and_count_as_busy()
    {
        // 4 s on 2 CPUs: 2 s of steal is half a core stolen; not idle, so it is busy time too.
        const string end = """
            cpu  1000 0 500 20500 300 0 40 210 0 0
            cpu0 500 0 250 10250 150 0 20 105 0 0
            cpu1 500 0 250 10250 150 0 20 105 0 0
            """;
        var start = CpuStat.Parse(Start, 0);
        var later = CpuStat.Parse(end, 4 * Stopwatch.Frequency);

        Assert.Equal(0.5, CpuStat.StolenCores(start, later), 3);
        Assert.Equal(0.75, CpuStat.BusyCores(start, later), 3);

        // A kernel without the steal field reads as none stolen; no time passed or no reading: 0.
        Assert.Equal(0, CpuStat.Parse("cpu  1 2 3 4 5\ncpu0 1 2 3 4 5\n", 0).StealTicks);
        Assert.Equal(0, CpuStat.StolenCores(start, start));
        Assert.Equal(0, CpuStat.StolenCores(default, later));
    }

    [Fact]
    public void Busy_cores_stay_within_zero_and_the_cpu_count()
    {
        var start = CpuStat.Parse(Start, 0);
        long oneSecond = Stopwatch.Frequency;

        // More idle than wall time (rounding of the tick counters over a short span): not negative.
        Assert.Equal(0, CpuStat.BusyCores(start, start with { IdleTicks = start.IdleTicks + 300, Timestamp = oneSecond }));
        Assert.Equal(2, CpuStat.BusyCores(start, start with { Timestamp = oneSecond }));

        // An unreadable /proc/stat (default reading) or no time passed: 0, not a division by zero.
        Assert.Equal(0, CpuStat.BusyCores(default, start));
        Assert.Equal(0, CpuStat.BusyCores(start, start));
    }

    [Fact]
    public void Parse_refuses_text_without_cpu_lines()
    {
        Assert.Throws<FormatException>(() => CpuStat.Parse("intr 1 2 3\n", 0));
        Assert.Throws<FormatException>(() => CpuStat.Parse("cpu  1 2\ncpu0 1 2\n", 0));
    }

    [Fact]
    public void Reading_this_machine_sees_its_cpus_and_a_plausible_load()
    {
        var start = CpuStat.Read();
        Thread.Sleep(50);
        double cores = CpuStat.BusyCoresSince(start);

        Assert.True(start.Cpus >= 1, $"cpus: {start.Cpus}");
        Assert.InRange(cores, 0, start.Cpus);
    }
}
