using System.Globalization;

namespace FastLog.Bench.Common;

/// <summary>Write and flush counters of one block device from /proc/diskstats, or the difference of two readings.</summary>
public readonly record struct DiskDelta(long SectorsWritten, long WritesCompleted, long FlushesCompleted)
{
    public double MBWritten => SectorsWritten * 512 / 1e6;

    public static DiskDelta operator -(DiskDelta a, DiskDelta b) =>
        new(a.SectorsWritten - b.SectorsWritten, a.WritesCompleted - b.WritesCompleted, a.FlushesCompleted - b.FlushesCompleted);

    /// <summary>The device's counters now (zero when unknown). Device-wide: other processes count too.</summary>
    public static DiskDelta Read(string? device)
    {
        if (device is null || !File.Exists("/proc/diskstats"))
        {
            return default;
        }

        foreach (string line in File.ReadLines("/proc/diskstats"))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 3 && f[2] == device)
            {
                // After major, minor, name: reads (4), writes completed [7], merged, sectors written [9], ...,
                // discards (4 fields), flushes completed [18], time flushing.
                long writes = f.Length > 7 ? long.Parse(f[7], CultureInfo.InvariantCulture) : 0;
                long sectors = f.Length > 9 ? long.Parse(f[9], CultureInfo.InvariantCulture) : 0;
                long flushes = f.Length > 18 ? long.Parse(f[18], CultureInfo.InvariantCulture) : 0;
                return new DiskDelta(sectors, writes, flushes);
            }
        }

        return default;
    }
}
