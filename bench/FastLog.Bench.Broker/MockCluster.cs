using Confluent.Kafka;

namespace FastLog.Bench.Broker;

/// <summary>
/// librdkafka's in-memory mock cluster: a client created with <c>test.mock.num.brokers=1</c> hosts
/// one mock broker on a loopback port (inside this process, on librdkafka's own threads). Other
/// clients reach it through the address its metadata gives. It keeps every record in memory and
/// answers acks=all like acks=1: the ceiling of this client on this machine.
/// </summary>
internal sealed class MockCluster : IDisposable
{
    private readonly IProducer<Null, Null> _host;

    public MockCluster()
    {
        var config = new ProducerConfig();
        config.Set("test.mock.num.brokers", "1");
        _host = new ProducerBuilder<Null, Null>(config).Build();
        using var admin = new DependentAdminClientBuilder(_host.Handle).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        var broker = metadata.Brokers.FirstOrDefault()
            ?? throw new InvalidOperationException("the mock cluster reported no broker");
        Bootstrap = $"{broker.Host}:{broker.Port}";
    }

    public string Bootstrap { get; }

    public void Dispose() => _host.Dispose();
}

/// <summary>Counters of one block device from /proc/diskstats.</summary>
internal readonly record struct DiskDelta(long SectorsWritten, long WritesCompleted, long FlushesCompleted)
{
    public double MBWritten => SectorsWritten * 512 / 1e6;

    public static DiskDelta operator -(DiskDelta a, DiskDelta b) =>
        new(a.SectorsWritten - b.SectorsWritten, a.WritesCompleted - b.WritesCompleted, a.FlushesCompleted - b.FlushesCompleted);
}

internal static class DiskStats
{
    /// <summary>The device's write and flush counters (zero when unknown). Device-wide: other processes count too.</summary>
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
                long writes = f.Length > 7 ? long.Parse(f[7], System.Globalization.CultureInfo.InvariantCulture) : 0;
                long sectors = f.Length > 9 ? long.Parse(f[9], System.Globalization.CultureInfo.InvariantCulture) : 0;
                long flushes = f.Length > 18 ? long.Parse(f[18], System.Globalization.CultureInfo.InvariantCulture) : 0;
                return new DiskDelta(sectors, writes, flushes);
            }
        }

        return default;
    }
}

/// <summary>Machine-wide CPU time from the first line of /proc/stat (every process, not only ours).</summary>
internal readonly record struct CpuStat(long Busy, long Total)
{
    public static CpuStat Read()
    {
        try
        {
            string line = File.ReadLines("/proc/stat").First();
            long[] v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(x => long.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
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
