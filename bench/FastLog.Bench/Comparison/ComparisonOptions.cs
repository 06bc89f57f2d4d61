using FastLog.Bench.Common;

namespace FastLog.Bench.Comparison;

/// <summary>Command-line options of <c>--preset broker</c> and <c>--groups</c>.</summary>
internal sealed class ComparisonOptions
{
    public const string Usage = """
        --preset broker: the same Confluent.Kafka producer and consumer against the FastLog broker
        (started as a child process, server GC) and against librdkafka's in-memory mock cluster,
        plus the machine's limits (fio, iperf3), in one run.

        options of --preset broker and --groups:
          --data-dir DIR        the broker's log.dirs and fio's directory (default: a new temp
                                directory, deleted at the end)
          --small-count N       100 B records per produce row (default 1000000)
          --large-count N       1 KiB records per produce row (default 200000)
          --repeat N            runs of every row and target; the report gives the median run and
                                the spread (default 3)
          --rows FILTER         only rows whose name contains FILTER (e.g. "100B", "acks=all", "lz4")
          --targets LIST        comma-separated: mock,fastlog (default both)
          --broker-dll FILE     the broker to start (default: FastLog.Broker.dll built beside this
                                harness in the same configuration)
          --out FILE            write the markdown report there (default: stdout only)
          --quick               smoke run: 100k / 20k records, one run, short fio and iperf3
          --no-fio              skip fio
          --no-iperf            skip iperf3
          --consumer-debug CTX  librdkafka `debug` contexts for the consumers (e.g. "fetch"), logged
                                to stderr with timestamps; for diagnosing a slow consume row
          --groups              instead of the rows: consumer-group rebalance times (10 consumers
                                joining, then leaving, one by one) and synchronous offset
                                commits/s against the FastLog broker; takes --out, --data-dir
          --help                this text
        """;

    public string? DataDir { get; private set; }

    public int SmallCount { get; private set; } = 1_000_000;

    public int LargeCount { get; private set; } = 200_000;

    public int Repeat { get; private set; } = 3;

    public string? RowFilter { get; private set; }

    public bool RunMock { get; private set; } = true;

    public bool RunFastLog { get; private set; } = true;

    public string? BrokerDll { get; private set; }

    public string? OutFile { get; private set; }

    public bool Quick { get; private set; }

    public bool RunFio { get; private set; } = true;

    public bool RunIperf { get; private set; } = true;

    public string? ConsumerDebug { get; private set; }

    public bool Groups { get; private set; }

    /// <summary>fio's per-job size cap in bytes.</summary>
    public long FioBytes => Quick ? 128L * 1024 * 1024 : 1024L * 1024 * 1024;

    /// <summary>fio's per-job time cap.</summary>
    public int FioSeconds => Quick ? 3 : 15;

    /// <summary>iperf3's client run time.</summary>
    public int IperfSeconds => Quick ? 2 : 5;

    public IReadOnlyList<string> RawArgs { get; private set; } = [];

    public static ComparisonOptions? Parse(string[] args)
    {
        var options = new ComparisonOptions { RawArgs = args };
        bool smallGiven = false, largeGiven = false, repeatGiven = false;
        var reader = new OptionReader(args);
        while (reader.MoveNext())
        {
            switch (reader.Current)
            {
                case "--preset":
                    // The dispatcher sent only "--preset broker" here.
                    reader.Value();
                    break;
                case "--data-dir":
                    options.DataDir = reader.Value();
                    break;
                case "--small-count":
                    options.SmallCount = reader.Int();
                    smallGiven = true;
                    break;
                case "--large-count":
                    options.LargeCount = reader.Int();
                    largeGiven = true;
                    break;
                case "--repeat":
                    options.Repeat = reader.Int();
                    repeatGiven = true;
                    break;
                case "--rows":
                    options.RowFilter = reader.Value();
                    break;
                case "--targets":
                    var targets = reader.List(t => t);
                    options.RunMock = targets.Contains("mock", StringComparer.OrdinalIgnoreCase);
                    options.RunFastLog = targets.Contains("fastlog", StringComparer.OrdinalIgnoreCase);
                    break;
                case "--broker-dll":
                    options.BrokerDll = reader.Value();
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
                case "--no-iperf":
                    options.RunIperf = false;
                    break;
                case "--consumer-debug":
                    options.ConsumerDebug = reader.Value();
                    break;
                case "--groups":
                    options.Groups = true;
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
            options.SmallCount = smallGiven ? options.SmallCount : 100_000;
            options.LargeCount = largeGiven ? options.LargeCount : 20_000;
            options.Repeat = repeatGiven ? options.Repeat : 1;
        }

        if (options.SmallCount <= 0 || options.LargeCount <= 0 || options.Repeat <= 0)
        {
            throw new ArgumentException("--small-count, --large-count and --repeat must be positive");
        }

        if (!options.RunMock && !options.RunFastLog)
        {
            throw new ArgumentException("--targets must name mock, fastlog or both");
        }

        return options;
    }
}
