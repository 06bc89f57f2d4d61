using FastLog.Server.Configuration;

namespace FastLog.Server.Tests.Configuration;

/// <summary>
/// Settings come from defaults, a server.properties file, FASTLOG_* environment variables and
/// --override, in that order of precedence; anything unknown or invalid stops start-up with a
/// message that names it.
/// </summary>
public sealed class BrokerConfigTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    private static readonly KeyValuePair<string, string?>[] NoEnvironment = [];

    [Fact]
    public void Defaults_are_a_single_node_on_localhost_9092_with_data_under_dot_data()
    {
        var config = BrokerConfig.Load(null, NoEnvironment, []);
        Assert.Equal(new ListenerAddress("PLAINTEXT", "localhost", 9092), Assert.Single(config.Listeners));
        Assert.Equal(config.Listeners, config.AdvertisedListeners);
        Assert.Equal(["./data"], config.LogDirs);
        Assert.Equal(1, config.NodeId);
        Assert.True(config.AutoCreateTopicsEnable);
        Assert.Equal(1024 * 1024 * 1024, config.DefaultLogConfig.SegmentBytes);
        Assert.Equal(7L * 24 * 3600 * 1000, config.DefaultLogConfig.RetentionMs);
    }

    [Fact]
    public void File_then_environment_then_overrides_win()
    {
        File.WriteAllText(_file, """
            # a comment
            num.partitions=3
            log.dirs = /var/fastlog/a, /var/fastlog/b
            log.retention.hours: 1
            log.segment.bytes=1000000
            """);
        var environment = new Dictionary<string, string?> { ["FASTLOG_NUM_PARTITIONS"] = "5", ["FASTLOG_LOG_SEGMENT_BYTES"] = "2000000", ["PATH"] = "/bin" };

        var config = BrokerConfig.Load(_file, environment, ["log.segment.bytes=3000000"]);

        Assert.Equal(5, config.NumPartitions);
        Assert.Equal(["/var/fastlog/a", "/var/fastlog/b"], config.LogDirs);
        Assert.Equal(3_600_000, config.DefaultLogConfig.RetentionMs);
        Assert.Equal(3_000_000, config.DefaultLogConfig.SegmentBytes);
    }

    [Theory]
    [InlineData("FASTLOG_LOG_DIRS", "log.dirs")]
    [InlineData("FASTLOG_AUTO_CREATE_TOPICS_ENABLE", "auto.create.topics.enable")]
    [InlineData("FASTLOG_SOME__UNDERSCORE", "some_underscore")]
    [InlineData("FASTLOG_SOME___DASH", "some-dash")]
    public void Environment_names_map_to_setting_names(string variable, string setting)
    {
        Assert.Equal(setting, BrokerConfig.FromEnvironmentName(variable));
    }

    [Fact]
    public void An_unknown_setting_is_refused_by_name()
    {
        var error = Assert.Throws<BrokerConfigException>(() => BrokerConfig.Load(null, NoEnvironment, ["log.retention.hourz=5"]));
        Assert.Contains("log.retention.hourz", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("num.partitions=0")]
    [InlineData("num.partitions=many")]
    [InlineData("auto.create.topics.enable=yes")]
    [InlineData("log.cleanup.policy=shred")]
    [InlineData("listeners=localhost:9092")]
    [InlineData("listeners=SSL://localhost:9093")]
    [InlineData("log.segment.bytes=10")]
    [InlineData("metrics.listener=9644")]
    [InlineData("metrics.listener=localhost:http")]
    [InlineData("metrics.listener=http://localhost:9644")]
    [InlineData("metrics.listener=localhost:70000")]
    public void An_invalid_value_is_refused_naming_the_setting(string entry)
    {
        var error = Assert.Throws<BrokerConfigException>(() => BrokerConfig.Load(null, NoEnvironment, [entry]));
        Assert.Contains(entry.Split('=')[0], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_of_the_cli_and_tests_are_not_taken_for_settings()
    {
        var environment = new Dictionary<string, string?> { ["FASTLOG_BROKERS"] = "a:1", ["FASTLOG_FUZZ_SEED"] = "7", ["FASTLOG_NUM_PARTITIONS"] = "4" };
        Assert.Equal(4, BrokerConfig.Load(null, environment, []).NumPartitions);
    }

    [Fact]
    public void A_bad_environment_variable_and_a_bad_file_line_name_their_source()
    {
        var environment = new Dictionary<string, string?> { ["FASTLOG_NUM_PARTITIONZ"] = "5" };
        var error = Assert.Throws<BrokerConfigException>(() => BrokerConfig.Load(null, environment, []));
        Assert.Contains("FASTLOG_NUM_PARTITIONZ", error.Message, StringComparison.Ordinal);

        File.WriteAllText(_file, "num.partitions=2\nthis line is wrong\n");
        error = Assert.Throws<BrokerConfigException>(() => BrokerConfig.Load(_file, NoEnvironment, []));
        Assert.Contains(":2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Listeners_parse_and_advertised_listeners_default_to_them()
    {
        var config = BrokerConfig.Load(null, NoEnvironment, ["listeners=PLAINTEXT://127.0.0.1:0", "advertised.listeners=PLAINTEXT://broker.example:19092"]);
        Assert.Equal(new ListenerAddress("PLAINTEXT", "127.0.0.1", 0), config.Listeners[0]);
        Assert.Equal(new ListenerAddress("PLAINTEXT", "broker.example", 19092), config.AdvertisedListeners[0]);
    }

    [Fact]
    public void Metrics_listener_defaults_to_loopback_9644_and_an_empty_value_disables_it()
    {
        Assert.Equal(new HostPort("127.0.0.1", 9644), BrokerConfig.Load(null, NoEnvironment, []).MetricsListener);
        Assert.Null(BrokerConfig.Load(null, NoEnvironment, ["metrics.listener="]).MetricsListener);

        var environment = new Dictionary<string, string?> { ["FASTLOG_METRICS_LISTENER"] = "0.0.0.0:9100" };
        Assert.Equal(new HostPort("0.0.0.0", 9100), BrokerConfig.Load(null, environment, []).MetricsListener);
        Assert.Equal(new HostPort("::1", 0), BrokerConfig.Load(null, environment, ["metrics.listener=[::1]:0"]).MetricsListener);
    }
}
