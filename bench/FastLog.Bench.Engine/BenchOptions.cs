using FastLog.Bench.Common;

namespace FastLog.Bench.Engine;

/// <summary>Command-line options of the engine harness.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        FastLog engine throughput harness: FastLog's partition log against FasterLog under the same
        commit policy, plus the machine's own limits (fio, memory copy), in one run.

        options:
          --data-dir DIR        where both engines and fio write (default: a new temp directory); each
                                row's files are deleted after the row
          --total-mb N          MiB appended per row and engine (default 1024)
          --row-seconds S       cap on the append phase of one row; a row stops at whichever comes
                                first and reports what it wrote (default 12)
          --out FILE            write the markdown report there (default: stdout only)
          --quick               smoke run: 32 MiB per row, 3 s cap, small fio and memory-copy jobs
          --no-fio              skip the fio jobs
          --only-fastlog        skip FasterLog (engine work in isolation)
          --rows FILTER         only rows whose name contains FILTER (e.g. "gc16", "1MiB")
          --read-bytes N        FastLog read-back request size in bytes (default 1048576)
          --preallocate-step N  FastLog's zero-filled tail step in bytes (default: the engine's, 262144;
                                0 turns preallocation off)
          --runs N              runs of every row per engine, alternating which engine goes first;
                                the report gives the median run of each figure and the min–max
                                (default 1)
          --help                this text
        """;

    public string? DataDir { get; private set; }

    public long TotalBytes { get; private set; } = 1024L * 1024 * 1024;

    public double RowSeconds { get; private set; } = 12;

    public string? OutFile { get; private set; }

    public bool Quick { get; private set; }

    public bool RunFio { get; private set; } = true;

    public bool RunFasterLog { get; private set; } = true;

    public string? RowFilter { get; private set; }

    public int ReadBytes { get; private set; } = 1024 * 1024;

    public int PreallocateStepBytes { get; private set; } = FastLog.Engine.Log.LogManagerOptions.DefaultPreallocateStepBytes;

    /// <summary>Runs of every row per engine: this machine's figures vary by a third from minute to minute, so one run can flip a ratio.</summary>
    public int Runs { get; private set; } = 1;

    /// <summary>fio's per-job size cap in bytes.</summary>
    public long FioBytes => Quick ? 64L * 1024 * 1024 : Math.Max(256L * 1024 * 1024, TotalBytes);

    /// <summary>fio's per-job time cap.</summary>
    public int FioSeconds => Quick ? 3 : 15;

    /// <summary>The memory-copy buffer size.</summary>
    public int MemCopyBytes => Quick ? 64 * 1024 * 1024 : 256 * 1024 * 1024;

    public IReadOnlyList<string> RawArgs { get; private set; } = [];

    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions { RawArgs = args };
        bool totalGiven = false;
        bool secondsGiven = false;
        var reader = new OptionReader(args);
        while (reader.MoveNext())
        {
            switch (reader.Current)
            {
                case "--data-dir":
                    options.DataDir = reader.Value();
                    break;
                case "--total-mb":
                    options.TotalBytes = reader.Long() * 1024 * 1024;
                    totalGiven = true;
                    break;
                case "--row-seconds":
                    options.RowSeconds = reader.Double();
                    secondsGiven = true;
                    break;
                case "--out":
                    options.OutFile = reader.Value();
                    break;
                case "--quick":
                    options.Quick = true;
                    break;
                case "--no-fio":
                    options.RunFio = false;
                    break;
                case "--only-fastlog":
                    options.RunFasterLog = false;
                    break;
                case "--rows":
                    options.RowFilter = reader.Value();
                    break;
                case "--read-bytes":
                    options.ReadBytes = reader.Int();
                    break;
                case "--preallocate-step":
                    options.PreallocateStepBytes = reader.Int();
                    break;
                case "--runs":
                    options.Runs = reader.Int();
                    break;
                case "--help":
                case "-h":
                    return null;
                default:
                    throw new ArgumentException($"unknown option '{reader.Current}'");
            }
        }

        if (options.Quick)
        {
            if (!totalGiven)
            {
                options.TotalBytes = 32L * 1024 * 1024;
            }

            if (!secondsGiven)
            {
                options.RowSeconds = 3;
            }
        }

        if (options.TotalBytes <= 0 || options.RowSeconds <= 0 || options.ReadBytes < 64 * 1024 || options.PreallocateStepBytes < 0 || options.Runs < 1)
        {
            throw new ArgumentException("--total-mb, --row-seconds and --runs must be positive, --read-bytes at least 65536, --preallocate-step not negative");
        }

        return options;
    }
}
