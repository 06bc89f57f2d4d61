using System.Text.Json;
using FastLog.Cli.Tests.Support;
using static FastLog.Cli.Tests.Support.Cli;

namespace FastLog.Cli.Tests;

public sealed class TopicCommandTests
{
    [Fact]
    public async Task Create_then_describe_shows_partitions_leaders_and_non_default_configs()
    {
        await using var broker = await StartBrokerAsync();

        CliResult created = await OkAsync(broker, "topic", "create", "orders", "-p", "3", "-c", "retention.ms=3600000");
        CliResult described = await OkAsync(broker, "topic", "describe", "orders");

        Assert.Equal("Created topic 'orders' (3 partitions, replication factor 1).", created.Out.TrimEnd());
        string[] lines = described.OutLines;
        Assert.Matches(@"^Topic: orders  TopicId: [A-Za-z0-9_-]{22}  Partitions: 3  ReplicationFactor: 1$", lines[0]);
        Assert.Equal("Configs: retention.ms=3600000", lines[1]);
        Assert.Equal("PARTITION  LEADER  REPLICAS  ISR", lines[2]);
        Assert.Equal(["0          1       1         1", "1          1       1         1", "2          1       1         1"], lines[3..]);
    }

    [Fact]
    public async Task Describe_as_json_carries_every_partition_and_config()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "2", "-c", "cleanup.policy=compact");

        JsonElement topic = (await OkAsync(broker, "topic", "describe", "t", "--output", "json")).Json()[0];
        JsonElement all = (await OkAsync(broker, "topic", "describe", "t", "-o", "json", "--all-configs")).Json()[0];

        Assert.Equal("t", topic.GetProperty("name").GetString());
        Assert.Equal(2, topic.GetProperty("partitions").GetArrayLength());
        Assert.Equal(1, topic.GetProperty("partitions")[1].GetProperty("leader").GetInt32());
        Assert.Equal([1], topic.GetProperty("partitions")[1].GetProperty("isr").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("compact", topic.GetProperty("configs").GetProperty("cleanup.policy").GetString());
        Assert.Single(topic.GetProperty("configs").EnumerateObject());
        Assert.True(all.GetProperty("configs").TryGetProperty("retention.ms", out _));
    }

    [Fact]
    public async Task Creating_an_existing_topic_fails_with_exit_code_3_unless_if_not_exists()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "once");

        CliResult again = await RunAsync(broker, "topic", "create", "once");
        CliResult tolerated = await RunAsync(broker, "topic", "create", "once", "--if-not-exists");

        Assert.Equal(3, again.ExitCode);
        Assert.Equal("fastlog: Topic 'once' already exists.", again.Error.TrimEnd());
        Assert.Empty(again.Out);
        Assert.Equal(0, tolerated.ExitCode);
        Assert.Equal("Topic 'once' already exists.", tolerated.Out.TrimEnd());
    }

    [Fact]
    public async Task Invalid_partition_count_and_config_are_refused_and_validate_only_changes_nothing()
    {
        await using var broker = await StartBrokerAsync();

        CliResult zero = await RunAsync(broker, "topic", "create", "z", "-p", "0");
        CliResult badConfig = await RunAsync(broker, "topic", "create", "c", "-c", "retention.ms=soon");
        CliResult malformed = await RunAsync(broker, "topic", "create", "m", "-c", "retention.ms");
        CliResult dry = await OkAsync(broker, "topic", "create", "dry", "-p", "4", "--validate-only");
        CliResult list = await OkAsync(broker, "topic", "list");

        Assert.Equal(3, zero.ExitCode);
        Assert.StartsWith("fastlog: Topic 'z': invalid partition count", zero.Error, StringComparison.Ordinal);
        Assert.Equal(3, badConfig.ExitCode);
        Assert.StartsWith("fastlog: Topic 'c': invalid config", badConfig.Error, StringComparison.Ordinal);
        Assert.Equal(1, malformed.ExitCode);
        Assert.Equal("fastlog: --config 'retention.ms' is not key=value", malformed.Error.TrimEnd());
        Assert.Equal("Topic 'dry' can be created (4 partitions, replication factor 1); nothing was changed (--validate-only).", dry.Out.TrimEnd());
        Assert.Equal(["NAME  PARTITIONS  REPLICAS"], list.OutLines);
    }

    [Fact]
    public async Task List_prints_an_aligned_table_and_json_and_hides_internal_topics_unless_asked()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "a-long-topic-name", "-p", "3");
        await OkAsync(broker, "topic", "create", "b");
        await OkAsync(broker, "group", "reset-offsets", "g", "--topic", "b", "--to-earliest", "--execute");

        CliResult text = await OkAsync(broker, "topic", "list");
        CliResult json = await OkAsync(broker, "topic", "ls", "-o", "json");
        CliResult withInternal = await OkAsync(broker, "topic", "list", "--internal");

        Assert.Equal(
            [
                "NAME               PARTITIONS  REPLICAS",
                "a-long-topic-name  3           1",
                "b                  2           1",
            ],
            text.OutLines);
        Assert.Equal(["a-long-topic-name", "b"], json.Json().EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(3, json.Json()[0].GetProperty("partitions").GetInt32());
        Assert.Contains(withInternal.OutLines, l => l.StartsWith("__consumer_offsets ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Describing_or_deleting_a_missing_topic_exits_3_and_delete_if_exists_does_not()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "doomed");

        CliResult deleted = await OkAsync(broker, "topic", "delete", "doomed");
        CliResult describe = await RunAsync(broker, "topic", "describe", "doomed");
        CliResult again = await RunAsync(broker, "topic", "delete", "doomed");
        CliResult tolerated = await RunAsync(broker, "topic", "delete", "doomed", "--if-exists");

        Assert.Equal("Deleted topic 'doomed'.", deleted.Out.TrimEnd());
        Assert.Equal(3, describe.ExitCode);
        Assert.Equal("fastlog: Topic 'doomed' does not exist.", describe.Error.TrimEnd());
        Assert.Equal(3, again.ExitCode);
        Assert.Equal("fastlog: Topic 'doomed' does not exist.", again.Error.TrimEnd());
        Assert.Equal(0, tolerated.ExitCode);
    }

    [Fact]
    public async Task Alter_config_sets_deletes_and_appends_and_needs_at_least_one_change()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-c", "segment.bytes=1048576");

        CliResult altered = await OkAsync(broker, "topic", "alter-config", "t", "--set", "retention.ms=1000", "--delete", "segment.bytes", "--append", "cleanup.policy=compact");
        CliResult described = await OkAsync(broker, "topic", "describe", "t");
        CliResult nothing = await RunAsync(broker, "topic", "alter-config", "t");
        CliResult missing = await RunAsync(broker, "topic", "alter-config", "nope", "--set", "retention.ms=1");

        Assert.Equal("Altered configs of topic 't': retention.ms=1000, segment.bytes reset to default, cleanup.policy += compact.", altered.Out.TrimEnd());
        Assert.Equal("Configs: cleanup.policy=delete,compact, retention.ms=1000", described.OutLines[1]);
        Assert.Equal(1, nothing.ExitCode);
        Assert.StartsWith("fastlog: Give at least one of --set, --delete, --append or --subtract.", nothing.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'fastlog topic alter-config --help' for usage.", nothing.Error, StringComparison.Ordinal);
        Assert.Equal(3, missing.ExitCode);
        Assert.Equal("fastlog: Topic 'nope' does not exist.", missing.Error.TrimEnd());
    }

    [Fact]
    public async Task Add_partitions_raises_the_count_and_refuses_to_lower_it()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "2");

        CliResult added = await OkAsync(broker, "topic", "add-partitions", "t", "-p", "4");
        CliResult lower = await RunAsync(broker, "topic", "add-partitions", "t", "-p", "3");
        CliResult described = await OkAsync(broker, "topic", "describe", "t");

        Assert.Equal("Topic 't' now has 4 partitions.", added.Out.TrimEnd());
        Assert.Equal(3, lower.ExitCode);
        Assert.StartsWith("fastlog: Topic 't': invalid partition count", lower.Error, StringComparison.Ordinal);
        Assert.Contains("Partitions: 4", described.OutLines[0], StringComparison.Ordinal);
    }
}
