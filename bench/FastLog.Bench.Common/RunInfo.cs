using System.Globalization;
using System.Text;

namespace FastLog.Bench.Common;

/// <summary>
/// Where a result came from: the commit (and whether the tree had uncommitted changes), when the run
/// started, the load average along the way and the exact command. Every report prints these so a
/// figure can be traced back and reproduced.
/// </summary>
public sealed class RunInfo
{
    private RunInfo(string project, IReadOnlyList<string> args, string commit, bool dirty)
    {
        Project = project;
        Args = args;
        Commit = commit;
        Dirty = dirty;
    }

    /// <summary>The bench project's folder, e.g. <c>bench/FastLog.Bench</c>.</summary>
    public string Project { get; }

    public IReadOnlyList<string> Args { get; }

    public string Commit { get; }

    public bool Dirty { get; }

    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;

    /// <summary>Load averages (1/5/15 min) taken at named points of the run.</summary>
    public List<(string When, string Load)> Load { get; } = [];

    public string CommitText => Dirty ? $"{Commit} (with uncommitted changes)" : Commit;

    /// <summary>The command that reproduces the run, arguments quoted for a POSIX shell where needed.</summary>
    public string Command => $"dotnet run -c Release --project {Project} --{(Args.Count == 0 ? string.Empty : " " + string.Join(' ', Args.Select(Quote)))}";

    public static async Task<RunInfo> CollectAsync(string project, IReadOnlyList<string> args)
    {
        string commit = await ProcessRunner.TryRunAsync("git", "rev-parse --short HEAD") ?? "unknown (not a git checkout)";
        bool dirty = !string.IsNullOrEmpty(await ProcessRunner.TryRunAsync("git", "status --porcelain --untracked-files=no"));
        var info = new RunInfo(project, args, commit, dirty);
        info.MarkLoad("start");
        return info;
    }

    public void MarkLoad(string when) => Load.Add((when, LoadAverage()));

    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The "Machine, commit, command" section every report opens with.</summary>
    public void AppendMachineSection(StringBuilder md, MachineInfo machine, string runtimeNote, double totalSeconds)
    {
        md.AppendLine("## Machine, commit, command");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- cores (nproc): {machine.Cores}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- memory: {machine.Memory}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- CPU: {machine.Cpu}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- kernel: {machine.Kernel}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- data disk / file system: {machine.Disk}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- runtime: {machine.Runtime}{(runtimeNote.Length == 0 ? string.Empty : "; " + runtimeNote)}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- commit: `{CommitText}`");
        md.AppendLine(CultureInfo.InvariantCulture, $"- started: {Started:yyyy-MM-dd HH:mm} UTC, took {totalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s");
        md.AppendLine(CultureInfo.InvariantCulture, $"- load average (1/5/15 min): {string.Join("; ", Load.Select(l => $"{l.When} {l.Load}"))}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- command: `{Command}`");
        md.AppendLine();
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=,:%+@".Contains(c, StringComparison.Ordinal)) ? arg : $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
