using FastLog.Bench.Brokers;
using FastLog.Bench.Common;
using FastLog.Server.Broker;

namespace FastLog.Bench.Harness;

/// <summary>
/// The broker a run talks to, and how it was started: FastLog inside the harness (the default: no
/// build step, one process to profile), FastLog as a child process (server GC, its CPU apart),
/// librdkafka's in-memory mock cluster, or a broker already running at a given address. Disposing
/// stops whatever the harness started and nothing else.
/// </summary>
internal sealed class BrokerTarget : IAsyncDisposable
{
    private readonly FastLogBroker? _inProcess;
    private readonly BrokerProcess? _child;
    private readonly MockCluster? _mock;

    private BrokerTarget(string bootstrap, string description, FastLogBroker? inProcess = null, BrokerProcess? child = null, MockCluster? mock = null)
    {
        Bootstrap = bootstrap;
        Description = description;
        _inProcess = inProcess;
        _child = child;
        _mock = mock;
    }

    public string Bootstrap { get; }

    /// <summary>What the broker is and how it was configured, for the report.</summary>
    public string Description { get; }

    /// <summary>Short name for tables: fastlog, mock or external.</summary>
    public string Name => _mock is not null ? "mock" : _inProcess is not null || _child is not null ? "fastlog" : "external";

    /// <summary>The broker's CPU time so far when it runs in a process of its own that the harness started.</summary>
    public TimeSpan? BrokerCpu => _child?.CpuTime;

    /// <summary>Whether the broker shares the harness's process (its CPU then counts as the client's).</summary>
    public bool SharesProcess => _inProcess is not null || _mock is not null;

    public static async Task<BrokerTarget> StartAsync(HarnessOptions options, string dataDir)
    {
        if (options.Bootstrap is not null)
        {
            return new BrokerTarget(options.Bootstrap, $"a running broker at `{options.Bootstrap}` (not started by the harness; its settings are its own)");
        }

        if (options.Broker == "mock")
        {
            var mock = new MockCluster();
            return new BrokerTarget(mock.Bootstrap, "librdkafka's in-memory mock cluster (`test.mock.num.brokers=1`, inside the harness process; records stay in memory, at most the last 5 MiB per partition; acks=all is answered like acks=1)", mock: mock);
        }

        var settings = new Dictionary<string, string>(options.BrokerSettings, StringComparer.Ordinal);
        if (options.FsyncEveryMessage)
        {
            settings["log.flush.interval.messages"] = "1";
        }

        string logDir = Path.Combine(dataDir, "broker");
        Directory.CreateDirectory(logDir);
        string settingsText = settings.Count == 0 ? "default settings" : string.Join(", ", settings.Select(s => $"`{s.Key}={s.Value}`"));
        if (options.BrokerProcess)
        {
            string dll = options.BrokerDll ?? RepositoryPaths.BrokerDll();
            var child = await BrokerProcess.StartAsync(dll, logDir, TimeSpan.FromSeconds(60), settings.Select(s => $"{s.Key}={s.Value}").ToArray());
            return new BrokerTarget(child.Bootstrap, $"FastLog `{Path.GetFileName(dll)}` as a child process ({BrokerRuntime.Describe(dll)}), {settingsText}", child: child);
        }

        var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { DataDirectory = logDir, Settings = settings });
        return new BrokerTarget(broker.BootstrapServers, $"FastLog started inside the harness process (workstation GC, shared with the clients), {settingsText}", inProcess: broker);
    }

    public async ValueTask DisposeAsync()
    {
        if (_inProcess is not null)
        {
            await _inProcess.DisposeAsync();
        }

        if (_child is not null)
        {
            await _child.DisposeAsync();
        }

        _mock?.Dispose();
    }
}
