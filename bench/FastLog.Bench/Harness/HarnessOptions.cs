using System.Globalization;
using FastLog.Bench.Clients;
using FastLog.Bench.Common;

namespace FastLog.Bench.Harness;

/// <summary>
/// Command-line options of the harness. A preset fills in what the command line leaves out, so
/// <c>--preset omb --duration 120</c> is the OMB workload run for longer.
/// </summary>
internal sealed class HarnessOptions
{
    public const string Usage = """
        FastLog benchmark harness: producers × partitions × record size × acks × compression × linger
        against a broker, in throughput mode (as fast as it goes) or latency mode (--rate), with
        produce-acknowledgement and end-to-end latency percentiles and the machine's limits measured
        in the same run. Writes NAME.md, NAME.csv, NAME.json and NAME.png.

        usage: dotnet run -c Release --project bench/FastLog.Bench -- [options]

        presets (options given on the command line override the preset's):
          --preset omb          OpenMessaging-Benchmark-style latency workload sized for 2 cores:
                                1 topic, 16 partitions, 1 KiB, acks=all, linger 1 ms, fsync before
                                every ack (log.flush.interval.messages=1), first the maximum rate,
                                then half of it: 10 s of unreported lead-in and 60 s measured;
                                target p99 produce latency ≤ 5 ms; the broker runs as a child
                                process unless --broker or --bootstrap is given
          --preset client       FastLog.Client vs Confluent.Kafka, same broker, same run: 1,000,000 ×
                                100 B and 200,000 × 1 KiB, acks=1/all, none/lz4, produced then
                                consumed; writes client.md
          --preset broker       Confluent.Kafka against the FastLog broker (child process) and
                                librdkafka's mock cluster, 3 runs per row (see --preset broker --help)
          --groups              consumer-group rebalance times and offset commits/s

        target:
          --broker fastlog|mock FastLog started inside the harness (default), or librdkafka's
                                in-memory mock cluster (test.mock.num.brokers=1)
          --broker-process      start FastLog as a child process instead (server GC; its CPU is
                                reported apart from the client's)
          --broker-dll FILE     the FastLog.Broker.dll for --broker-process
          --broker-setting K=V  a broker setting for a FastLog the harness starts (repeatable)
          --fsync-every-message log.flush.interval.messages=1: fsync before every acknowledgement
          --bootstrap HOST:PORT a broker that is already running (nothing is started)

        workload (comma-separated lists multiply into the matrix):
          --client LIST         confluent, fastlog (default confluent)
          --producers LIST      producer clients, each on its own thread (default 1)
          --partitions LIST     partitions of the scenario's topic (default 1)
          --record-size LIST    value bytes, at least 8: 100, 1024, 1KiB (default 1024)
          --acks LIST           0, 1, all (default 1)
          --compression LIST    none, gzip, snappy, lz4, zstd (default none)
          --linger LIST         linger.ms (default 5)
          --records LIST        records per scenario in throughput mode, one value or one per
                                --record-size (default 200000)
          --rate R              latency mode: R records/s in total, or R% of the maximum the same
                                scenario reaches in throughput mode first (e.g. 50%)
          --duration S          latency mode: seconds at the fixed rate (default 30)
          --warmup-seconds S    latency mode: seconds at the fixed rate on the scenario's topic
                                before the measured --duration, sent, acknowledged and read but
                                left out of every figure, as OMB's warm-up traffic (default 0)
          --consume live|after|none
                                live: a consumer reads while producing, end-to-end latency (default);
                                after: read everything once the produce phase ends (read throughput)
          --warmup-records N    unreported records per client before the first scenario (default 20000)
          --payload letters|text
                                letters: random A–Z, which LZ4 cannot shrink (default); text: words
                                from a small vocabulary, which every codec shrinks about 2–4×

        output and run:
          --out-dir DIR         where the result files go (default: perf-results/ of the checkout)
          --name NAME           result file name stem (default: harness, or the preset's name)
          --data-dir DIR        the broker's log.dirs and fio's directory (default: a temp directory,
                                deleted at the end)
          --slow-acks FILE      also write every measured acknowledgement slower than --slow-ack-ms
                                to FILE (CSV: scenario, send time since the measurement started and
                                on the machine's monotonic clock, latency), to see when slow
                                records happened and line them up with the broker's logs
          --slow-ack-ms MS      the threshold for --slow-acks (default 5, the OMB target)
          --skip-limits         do not measure fio / iperf3
          --quick               smoke run: 20,000 records, 5 s latency runs, short fio and iperf3
          --no-progress         no live progress display (off anyway when stderr is redirected)
          --help                this text
        """;

    public IReadOnlyList<string> RawArgs { get; private init; } = [];

    public string? Preset { get; private set; }

    public List<string> Clients { get; private set; } = ["confluent"];

    public string Broker { get; private set; } = "fastlog";

    public bool BrokerProcess { get; private set; }

    public string? BrokerDll { get; private set; }

    public Dictionary<string, string> BrokerSettings { get; } = new(StringComparer.Ordinal);

    public bool FsyncEveryMessage { get; private set; }

    public string? Bootstrap { get; private set; }

    public List<int> Producers { get; private set; } = [1];

    public List<int> Partitions { get; private set; } = [1];

    public List<int> RecordSizes { get; private set; } = [1024];

    public List<AckMode> Acks { get; private set; } = [AckMode.Leader];

    public List<Codec> Compressions { get; private set; } = [Codec.None];

    public List<int> Lingers { get; private set; } = [5];

    public List<long> Records { get; private set; } = [200_000];

    public RateSpec? Rate { get; private set; }

    public double DurationSeconds { get; private set; } = 30;

    /// <summary>Latency mode: seconds at the fixed rate before the measured <see cref="DurationSeconds"/>.</summary>
    public double WarmupSeconds { get; private set; }

    public ConsumeMode Consume { get; private set; } = ConsumeMode.Live;

    /// <summary>Where measured acknowledgements slower than <see cref="SlowAckMs"/> are written, if anywhere.</summary>
    public string? SlowAcksPath { get; private set; }

    public double SlowAckMs { get; private set; } = 5;

    public long WarmupRecords { get; private set; } = 20_000;

    /// <summary>Values are words from a small vocabulary (compressible) instead of random letters.</summary>
    public bool TextPayload { get; private set; }

    public string? OutDir { get; private set; }

    public string Name { get; private set; } = "harness";

    public string? DataDir { get; private set; }

    public bool SkipLimits { get; private set; }

    public bool Quick { get; private set; }

    public bool NoProgress { get; private set; }

    /// <summary>The p99 produce latency the OMB preset must stay under, in ms; null when no target applies.</summary>
    public double? TargetP99Ms { get; private set; }

    public long FioBytes => Quick ? 64L * 1024 * 1024 : 1024L * 1024 * 1024;

    public int FioSeconds => Quick ? 2 : 15;

    public int IperfSeconds => Quick ? 1 : 5;

    /// <summary>Records of one scenario in throughput mode for a record size (one --records value each, or one for all).</summary>
    public long RecordsFor(int recordBytes) =>
        Records.Count == RecordSizes.Count ? Records[RecordSizes.IndexOf(recordBytes)] : Records[0];

    public static HarnessOptions? Parse(string[] args)
    {
        var options = new HarnessOptions { RawArgs = args };
        var given = new HashSet<string>(StringComparer.Ordinal);
        var reader = new OptionReader(args);
        while (reader.MoveNext())
        {
            string option = reader.Current;
            given.Add(option);
            switch (option)
            {
                case "--preset":
                    options.Preset = reader.Value().ToLowerInvariant();
                    break;
                case "--client":
                    options.Clients = reader.List(c => c.ToLowerInvariant());
                    break;
                case "--broker":
                    options.Broker = reader.Value().ToLowerInvariant();
                    break;
                case "--broker-process":
                    options.BrokerProcess = true;
                    break;
                case "--broker-dll":
                    options.BrokerDll = reader.Value();
                    break;
                case "--broker-setting":
                    string setting = reader.Value();
                    int eq = setting.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ArgumentException($"--broker-setting: '{setting}' is not KEY=VALUE");
                    }

                    options.BrokerSettings[setting[..eq]] = setting[(eq + 1)..];
                    break;
                case "--fsync-every-message":
                    options.FsyncEveryMessage = true;
                    break;
                case "--bootstrap":
                    options.Bootstrap = reader.Value();
                    break;
                case "--producers":
                    options.Producers = reader.List(Positive);
                    break;
                case "--partitions":
                    options.Partitions = reader.List(Positive);
                    break;
                case "--record-size":
                    options.RecordSizes = reader.List(ParseSize);
                    break;
                case "--acks":
                    options.Acks = reader.List(ParseAcks);
                    break;
                case "--compression":
                    options.Compressions = reader.List(c => Enum.TryParse<Codec>(c, ignoreCase: true, out var codec) ? codec : throw new FormatException($"unknown compression '{c}'"));
                    break;
                case "--linger":
                    options.Lingers = reader.List(l => int.Parse(l, NumberStyles.Integer, CultureInfo.InvariantCulture));
                    break;
                case "--records":
                    options.Records = reader.List(r => (long)Positive(r));
                    break;
                case "--rate":
                    options.Rate = RateSpec.Parse(reader.Value());
                    break;
                case "--duration":
                    options.DurationSeconds = reader.Double();
                    break;
                case "--warmup-seconds":
                    options.WarmupSeconds = reader.Double();
                    break;
                case "--consume":
                    options.Consume = reader.Value().ToLowerInvariant() switch
                    {
                        "live" => ConsumeMode.Live,
                        "after" => ConsumeMode.After,
                        "none" => ConsumeMode.None,
                        string other => throw new ArgumentException($"--consume: '{other}' is not live, after or none"),
                    };
                    break;
                case "--warmup-records":
                    options.WarmupRecords = reader.Long();
                    break;
                case "--payload":
                    options.TextPayload = reader.Value().ToLowerInvariant() switch
                    {
                        "letters" => false,
                        "text" => true,
                        string other => throw new ArgumentException($"--payload: '{other}' is not letters or text"),
                    };
                    break;
                case "--out-dir":
                    options.OutDir = reader.Value();
                    break;
                case "--name":
                    options.Name = reader.Value();
                    break;
                case "--data-dir":
                    options.DataDir = reader.Value();
                    break;
                case "--slow-acks":
                    options.SlowAcksPath = reader.Value();
                    break;
                case "--slow-ack-ms":
                    options.SlowAckMs = reader.Double();
                    break;
                case "--skip-limits":
                    options.SkipLimits = true;
                    break;
                case "--quick":
                    options.Quick = true;
                    break;
                case "--no-progress":
                    options.NoProgress = true;
                    break;
                case "--help":
                case "-h":
                    return null;
                default:
                    throw new ArgumentException($"unknown option '{option}'");
            }
        }

        options.ApplyPreset(given);
        options.Validate();
        return options;
    }

    /// <summary>Fills what the command line did not give from the preset, then applies --quick.</summary>
    private void ApplyPreset(HashSet<string> given)
    {
        void Default(string option, Action apply)
        {
            if (!given.Contains(option))
            {
                apply();
            }
        }

        switch (Preset)
        {
            case null:
                break;
            case "omb":
                // OpenMessaging Benchmark's Kafka latency workload shape (1 topic, 16 partitions, 1 KiB,
                // acks=all, linger 1 ms, a fixed rate below the maximum), scaled to one producer on 2 cores.
                Default("--partitions", () => Partitions = [16]);
                Default("--record-size", () => RecordSizes = [1024]);
                Default("--acks", () => Acks = [AckMode.All]);
                Default("--compression", () => Compressions = [Codec.None]);
                Default("--linger", () => Lingers = [1]);
                Default("--producers", () => Producers = [1]);
                Default("--rate", () => Rate = new RateSpec(0.5, IsShareOfMax: true));
                Default("--duration", () => DurationSeconds = 60);

                // OMB sends warm-up traffic at the target rate and resets its statistics before the
                // measured phase; a new topic's first seconds (new segments, first fetches) are not
                // the steady state the workload is about.
                Default("--warmup-seconds", () => WarmupSeconds = 10);
                if (Bootstrap is null && Broker == "fastlog")
                {
                    Default("--fsync-every-message", () => FsyncEveryMessage = true);

                    // The broker as users run it: its own process with its own runtime settings (no tiered
                    // compilation, see server/FastLog.Broker), its CPU counted apart from the client's.
                    // `--broker fastlog` keeps it inside the harness.
                    Default("--broker", () => BrokerProcess = true);
                }

                Default("--name", () => Name = "omb");
                TargetP99Ms = 5;
                break;
            case "client":
                Default("--client", () => Clients = ["fastlog", "confluent"]);
                Default("--record-size", () => RecordSizes = [100, 1024]);
                Default("--records", () => Records = [1_000_000, 200_000]);
                Default("--acks", () => Acks = [AckMode.Leader, AckMode.All]);
                Default("--compression", () => Compressions = [Codec.None, Codec.Lz4]);
                Default("--consume", () => Consume = ConsumeMode.After);
                Default("--name", () => Name = "client");
                break;
            default:
                throw new ArgumentException($"--preset: unknown preset '{Preset}' (omb, client, broker)");
        }

        if (Quick)
        {
            Default("--records", () => Records = [20_000]);
            Default("--duration", () => DurationSeconds = 5);
            Default("--warmup-seconds", () => WarmupSeconds = Math.Min(WarmupSeconds, 1));
            Default("--warmup-records", () => WarmupRecords = 2_000);
        }
    }

    private void Validate()
    {
        if (Broker is not ("fastlog" or "mock"))
        {
            throw new ArgumentException($"--broker: '{Broker}' is not fastlog or mock");
        }

        if (Bootstrap is not null && (BrokerProcess || BrokerSettings.Count > 0 || FsyncEveryMessage))
        {
            throw new ArgumentException("--bootstrap names a running broker: --broker-process, --broker-setting and --fsync-every-message do not apply to it");
        }

        if (Broker == "mock" && (BrokerProcess || BrokerSettings.Count > 0 || FsyncEveryMessage))
        {
            throw new ArgumentException("--broker mock keeps records in memory: --broker-process, --broker-setting and --fsync-every-message do not apply to it");
        }

        if (Records.Count != 1 && Records.Count != RecordSizes.Count)
        {
            throw new ArgumentException("--records takes one value, or one per --record-size");
        }

        if (RecordSizes.Any(s => s < 8))
        {
            throw new ArgumentException("--record-size: at least 8 bytes (each value carries its send time)");
        }

        if (DurationSeconds <= 0 || WarmupRecords < 0 || WarmupSeconds < 0 || Lingers.Any(l => l < 0))
        {
            throw new ArgumentException("--duration must be positive, --warmup-records, --warmup-seconds and --linger not negative");
        }

        if (SlowAckMs < 0)
        {
            throw new ArgumentException("--slow-ack-ms: not negative");
        }

        if (SlowAcksPath is { } slow && ResultFiles.PathsFor(this).Contains(Path.GetFullPath(slow)))
        {
            throw new ArgumentException($"--slow-acks: '{slow}' is one of the result files this run writes");
        }

        if (Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Name.Length == 0)
        {
            throw new ArgumentException($"--name: '{Name}' is not a file name");
        }

        foreach (string client in Clients)
        {
            BenchClients.Create(client); // throws for an unknown or unavailable client
        }
    }

    private static int Positive(string text) =>
        int.TryParse(text.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new FormatException($"'{text}' is not a positive whole number");

    private static int ParseSize(string text)
    {
        string t = text.Trim();
        int factor = 1;
        foreach (var (suffix, f) in new[] { ("KiB", 1024), ("KB", 1024), ("K", 1024), ("B", 1) })
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                t = t[..^suffix.Length];
                factor = f;
                break;
            }
        }

        return checked(Positive(t) * factor);
    }

    private static AckMode ParseAcks(string text) => text.ToLowerInvariant() switch
    {
        "0" => AckMode.None,
        "1" => AckMode.Leader,
        "all" or "-1" => AckMode.All,
        _ => throw new FormatException($"acks '{text}' is not 0, 1 or all"),
    };
}
