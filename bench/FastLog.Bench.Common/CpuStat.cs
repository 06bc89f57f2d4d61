using System.Diagnostics;
using System.Globalization;

namespace FastLog.Bench.Common;

/// <summary>
/// Machine-wide CPU use (every process, not only ours) from /proc/stat: the idle time of every CPU
/// at one moment, to be compared with a later reading.
/// </summary>
/// <remarks>
/// Busy time is taken as wall time × CPUs minus the idle (and iowait) time the kernel reports, not
/// from the busy fields. With a tickless kernel, idle time is measured exactly from idle entry and
/// exit, while user, system and irq time are sampled on the timer tick: work that runs in short
/// bursts between ticks goes partly uncounted, and the fields no longer add up to the wall time.
/// Seen here: in an 8 s fixed-rate run with FastLog.Client, /proc/stat's fields covered 6.1 s per
/// CPU, and busy / (busy + idle) gave 1.28 cores where the harness and broker processes alone used
/// 1.31 by their own exact counters; wall time minus idle gave 1.46.
/// <para>Steal time (a virtual machine's CPUs waiting for the host) counts as busy in that figure, as it is
/// not idle; it is kept apart too, because on a shared host a latency run's slowest moments can be the
/// host's: in fixed-rate runs here, the 100 ms windows holding a run's slow acknowledgements had 19-21%
/// of the CPU time stolen, against 3-7% for the rest of the run.</para>
/// </remarks>
public readonly record struct CpuStat(long IdleTicks, int Cpus, long Timestamp, long StealTicks = 0)
{
    /// <summary>/proc/stat's unit, USER_HZ, which Linux keeps at 100 on every architecture for user space.</summary>
    public const int TicksPerSecond = 100;

    public static CpuStat Read()
    {
        try
        {
            return Parse(File.ReadAllText("/proc/stat"), Stopwatch.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return default;
        }
    }

    /// <summary>Reads the idle, iowait and steal fields of the "cpu" line and counts the "cpuN" lines.</summary>
    public static CpuStat Parse(string procStat, long timestamp)
    {
        long idle = -1;
        long steal = 0;
        int cpus = 0;
        foreach (var line in procStat.Split('\n'))
        {
            if (line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 6)
                {
                    throw new FormatException($"/proc/stat's cpu line has {fields.Length - 1} fields, expected at least 5");
                }

                idle = long.Parse(fields[4], CultureInfo.InvariantCulture) + long.Parse(fields[5], CultureInfo.InvariantCulture);

                // Kernels before 2.6.11 have no steal field.
                steal = fields.Length > 8 ? long.Parse(fields[8], CultureInfo.InvariantCulture) : 0;
            }
            else if (line.StartsWith("cpu", StringComparison.Ordinal) && line.Length > 3 && char.IsAsciiDigit(line[3]))
            {
                cpus++;
            }
        }

        if (idle < 0 || cpus == 0)
        {
            throw new FormatException("/proc/stat has no cpu lines");
        }

        return new CpuStat(idle, cpus, timestamp, steal);
    }

    /// <summary>Cores busy (of the CPUs /proc/stat lists) between <paramref name="start"/> and now; 0 when /proc/stat was unreadable.</summary>
    public static double BusyCoresSince(CpuStat start) => BusyCores(start, Read());

    /// <summary>Cores busy between two readings: wall time × CPUs minus idle time, per wall second.</summary>
    public static double BusyCores(CpuStat start, CpuStat end)
    {
        if (start.Cpus == 0 || end.Cpus != start.Cpus || end.Timestamp <= start.Timestamp)
        {
            return 0;
        }

        double wallSeconds = (end.Timestamp - start.Timestamp) / (double)Stopwatch.Frequency;
        double idleSeconds = (end.IdleTicks - start.IdleTicks) / (double)TicksPerSecond;
        return Math.Clamp(((wallSeconds * start.Cpus) - idleSeconds) / wallSeconds, 0, start.Cpus);
    }

    /// <summary>Cores' worth of time the host took from this machine's CPUs between two readings, per wall second.</summary>
    public static double StolenCores(CpuStat start, CpuStat end)
    {
        if (start.Cpus == 0 || end.Cpus != start.Cpus || end.Timestamp <= start.Timestamp)
        {
            return 0;
        }

        double wallSeconds = (end.Timestamp - start.Timestamp) / (double)Stopwatch.Frequency;
        return Math.Clamp((end.StealTicks - start.StealTicks) / (double)TicksPerSecond / wallSeconds, 0, start.Cpus);
    }
}
