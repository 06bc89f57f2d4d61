using System.Globalization;
using System.Runtime.InteropServices;

namespace FastLog.Bench.Common;

/// <summary>What the report says about the machine: cores, memory, CPU, kernel, disk and file system of the data directory.</summary>
public sealed record MachineInfo(int Cores, string Memory, string Cpu, string Kernel, string Disk, string Runtime, string? DiskDevice)
{
    public static MachineInfo Collect(string dataDirectory)
    {
        return new MachineInfo(
            Environment.ProcessorCount,
            ReadMemory(),
            FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
            ReadTrimmed("/proc/sys/kernel/osrelease") ?? RuntimeInformation.OSDescription,
            ReadDisk(dataDirectory),
            RuntimeInformation.FrameworkDescription,
            MountOf(dataDirectory) is { } mount ? Path.GetFileName(mount[0]) : null);
    }

    private static string ReadMemory()
    {
        string? total = FirstValue("/proc/meminfo", "MemTotal");
        if (total is null)
        {
            return "unknown";
        }

        long kib = long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"{kib / 1024.0 / 1024.0:F1} GiB");
    }

    /// <summary>The block device, file system and mount options under the data directory, from /proc/mounts and /sys.</summary>
    private static string ReadDisk(string dataDirectory)
    {
        string[]? best = MountOf(dataDirectory);
        if (best is null)
        {
            return "unknown";
        }

        string device = Path.GetFileName(best[0]);
        string rotational = ReadTrimmed($"/sys/class/block/{device}/queue/rotational") switch
        {
            "0" => "sysfs: non-rotational",
            "1" => "sysfs: rotational",
            _ => "rotation unknown",
        };
        string? sizeSectors = ReadTrimmed($"/sys/class/block/{device}/size");
        string size = sizeSectors is null
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $", {long.Parse(sizeSectors, CultureInfo.InvariantCulture) * 512 / (1L << 30)} GiB");
        string scheduler = ReadTrimmed($"/sys/class/block/{device}/queue/scheduler") is { } s ? $", scheduler `{s}`" : string.Empty;
        bool virtio = device.StartsWith("vd", StringComparison.Ordinal);
        return $"{device} ({(virtio ? "virtio block device, " : string.Empty)}{rotational}{size}{scheduler}), {best[2]} mounted `{best[3]}`";
    }

    /// <summary>The /proc/mounts fields of the mount that holds <paramref name="dataDirectory"/>.</summary>
    private static string[]? MountOf(string dataDirectory)
    {
        if (!File.Exists("/proc/mounts"))
        {
            return null;
        }

        string full = Path.GetFullPath(dataDirectory);
        string[]? best = null;
        foreach (string line in File.ReadLines("/proc/mounts"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length < 4)
            {
                continue;
            }

            string mountPoint = fields[1];
            bool under = full == mountPoint || full.StartsWith(mountPoint.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (under && (best is null || mountPoint.Length >= best[1].Length))
            {
                best = fields;
            }
        }

        return best;
    }

    private static string? FirstValue(string file, string key)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        foreach (string line in File.ReadLines(file))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == key)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    private static string? ReadTrimmed(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
