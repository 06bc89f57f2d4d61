using System.Globalization;
using System.Text;

namespace FastLog.Bench.Common;

/// <summary>The fio and iperf3 figures of one run, and the markdown tables that show them.</summary>
public sealed class LimitsSection
{
    public List<FioResult> Fio { get; } = [];

    public string? FioNote { get; set; }

    public List<IperfResult> Iperf { get; } = [];

    public string? IperfNote { get; set; }

    /// <summary>Failures of the tools, listed under their tables.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>The machine's fsync'd sequential write bandwidth: the higher "1 MiB, fsync at the end" figure of the run, MB/s.</summary>
    public double? FsyncReferenceMBps =>
        Fio.Where(f => f.Id == MachineLimits.EndFsync).Select(f => (double?)f.MBps).Max();

    /// <summary>Runs fio (the named jobs) and iperf3 unless switched off, adding what they measured.</summary>
    public async Task MeasureAsync(string fioDirectory, long fioBytes, int fioSeconds, int iperfSeconds, string when, bool runFio, bool runIperf, params string[] fioJobs)
    {
        if (runFio)
        {
            var (fio, note) = await MachineLimits.RunFioAsync(fioDirectory, fioBytes, fioSeconds, when, fioJobs);
            if (fio is not null)
            {
                Fio.AddRange(fio);
            }

            FioNote = note;
        }

        if (runIperf)
        {
            var (iperf, note) = await MachineLimits.RunIperfAsync(iperfSeconds, when);
            if (iperf is null)
            {
                Notes.Add(note);
            }
            else
            {
                Iperf.Add(iperf);
            }

            IperfNote = note;
        }
    }

    public void AppendMarkdown(StringBuilder sb)
    {
        if (Fio.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{FioNote}, in the data directory:");
            sb.AppendLine();
            sb.AppendLine("| fio job | flags | when | MB/s | writes/s | fdatasync p50 / p99 µs |");
            sb.AppendLine("| --- | --- | --- | ---: | ---: | ---: |");
            foreach (var f in Fio)
            {
                string sync = f.SyncP50Micros is { } p50 ? $"{F(p50, "F0")} / {F(f.SyncP99Micros ?? 0, "F0")}" : "–";
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {f.Description} | `{f.Flags}` | {f.When} | {F(f.MBps, "F0")} | {F(f.WritesPerSecond, "F0")} | {sync} |");
            }

            sb.AppendLine();
        }
        else
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- fio: {FioNote ?? "skipped"}");
        }

        if (Iperf.Count > 0)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{IperfNote}, loopback, one TCP stream:");
            sb.AppendLine();
            sb.AppendLine("| iperf3 | when | GB/s | Gbit/s |");
            sb.AppendLine("| --- | --- | ---: | ---: |");
            foreach (var i in Iperf)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"| `{i.Flags}` | {i.When} | {F(i.GBps, "F2")} | {F(i.BitsPerSecond / 1e9, "F1")} |");
            }

            sb.AppendLine();
        }
        else
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- iperf3: {IperfNote ?? "skipped"}");
        }

        foreach (string note in Notes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        sb.AppendLine();
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
