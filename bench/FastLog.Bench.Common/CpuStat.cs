using System.Globalization;

namespace FastLog.Bench.Common;

/// <summary>Machine-wide CPU time from the first line of /proc/stat (every process, not only ours).</summary>
public readonly record struct CpuStat(long Busy, long Total)
{
    public static CpuStat Read()
    {
        try
        {
            string line = File.ReadLines("/proc/stat").First();
            long[] v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            long total = v.Sum();
            long idle = v[3] + v[4]; // idle + iowait
            return new CpuStat(total - idle, total);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            return default;
        }
    }

    /// <summary>Cores busy (of <see cref="Environment.ProcessorCount"/>) between <paramref name="start"/> and now.</summary>
    public static double BusyCoresSince(CpuStat start)
    {
        var now = Read();
        long total = now.Total - start.Total;
        return total <= 0 ? 0 : (double)(now.Busy - start.Busy) / total * Environment.ProcessorCount;
    }
}
