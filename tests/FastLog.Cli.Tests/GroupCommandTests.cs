using System.Text.Json;
using FastLog.Cli.Tests.Support;
using static FastLog.Cli.Tests.Support.Cli;

namespace FastLog.Cli.Tests;

public sealed class GroupCommandTests
{
    [Fact]
    public async Task Describe_shows_the_live_member_its_assignment_and_lag_per_partition()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "events", "-p", "2");
        Producer.Produce(broker.BootstrapServers, "events", 0, 5);
        Producer.Produce(broker.BootstrapServers, "events", 1, 2);
        await OkAsync(broker, "group", "reset-offsets", "readers", "--topic", "events:0", "--to-offset", "1", "--execute");
        using var member = new GroupMember(broker.BootstrapServers, "readers", "events", "reader-1");

        CliResult described = null!;
        await EventuallyAsync(
            async () => (described = await RunAsync(broker, "group", "describe", "readers")).Out.Contains("events:0,1", StringComparison.Ordinal),
            "the member holds both partitions");

        string[] lines = described.OutLines;
        Assert.Matches(@"^Group: readers  State: Stable  Protocol: \S+  Coordinator: 1  Members: 1  Lag: 4$", lines[0]);
        Assert.Equal(["MEMBER-ID", "CLIENT-ID", "HOST", "ASSIGNMENT"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^\S+\s+reader-1\s+\S*127\.0\.0\.1\s+events:0,1$", lines[2]);
        Assert.Equal(["TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^events\s+0\s+1\s+5\s+4\s+\S+\s+reader-1$", lines[4]);
        Assert.Matches(@"^events\s+1\s+-\s+2\s+-\s+\S+\s+reader-1$", lines[5]);

        JsonElement json = (await OkAsync(broker, "group", "describe", "readers", "-o", "json")).Json()[0];
        Assert.Equal("Stable", json.GetProperty("state").GetString());
        Assert.Equal(4, json.GetProperty("lag").GetInt64());
        JsonElement assignment = json.GetProperty("members")[0].GetProperty("assignment");
        Assert.Equal([0, 1], assignment.EnumerateArray().Select(p => p.GetProperty("partition").GetInt32()).Order());
        JsonElement first = json.GetProperty("offsets")[0];
        Assert.Equal(1, first.GetProperty("currentOffset").GetInt64());
        Assert.Equal(5, first.GetProperty("logEndOffset").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("offsets")[1].GetProperty("lag").ValueKind);

        CliResult list = await OkAsync(broker, "group", "list");
        Assert.Equal(["GROUP    STATE   PROTOCOL-TYPE  COORDINATOR", "readers  Stable  consumer       1"], list.OutLines);
    }

    [Fact]
    public async Task Describing_an_unknown_group_exits_3()
    {
        await using var broker = await StartBrokerAsync();

        CliResult result = await RunAsync(broker, "group", "describe", "ghost");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("fastlog: Group 'ghost' does not exist.", result.Error.TrimEnd());
    }

    [Fact]
    public async Task Reset_offsets_is_a_dry_run_until_execute_and_supports_each_target()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "2");
        var start = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        Producer.Produce(broker.BootstrapServers, "t", 0, 6, i => start.AddMinutes(i));
        Producer.Produce(broker.BootstrapServers, "t", 1, 3, i => start.AddMinutes(i));

        CliResult dry = await OkAsync(broker, "group", "reset-offsets", "g", "--topic", "t", "--to-latest");
        CliResult nothingYet = await RunAsync(broker, "group", "describe", "g");
        CliResult executed = await OkAsync(broker, "group", "reset-offsets", "g", "--topic", "t", "--to-latest", "--execute");
        CliResult byTime = await OkAsync(broker, "group", "reset-offsets", "g", "--all-topics", "--to-datetime", "2024-05-01T12:02:00Z", "--execute", "-o", "json");
        CliResult byOffset = await OkAsync(broker, "group", "reset-offsets", "g", "--topic", "t:1", "--to-offset", "1", "--execute");
        CliResult earliest = await OkAsync(broker, "group", "reset-offsets", "g", "--topic", "t:0", "--to-earliest", "--execute");
        CliResult described = await OkAsync(broker, "group", "describe", "g");

        Assert.Equal(
            [
                "TOPIC  PARTITION  PREVIOUS-OFFSET  NEW-OFFSET",
                "t      0          -                6",
                "t      1          -                3",
            ],
            dry.OutLines);
        Assert.Equal("Dry run: group 'g' is unchanged. Add --execute to commit these offsets.", dry.Error.TrimEnd());
        Assert.Equal(3, nothingYet.ExitCode);
        Assert.Equal("Committed the new offsets of group 'g'.", executed.Error.TrimEnd());
        JsonElement offsets = byTime.Json().GetProperty("offsets");
        Assert.False(byTime.Json().GetProperty("dryRun").GetBoolean());
        Assert.Equal([(6L, 2L), (3L, 2L)], offsets.EnumerateArray().Select(o => (o.GetProperty("previousOffset").GetInt64(), o.GetProperty("newOffset").GetInt64())));
        Assert.Equal("t      1          2                1", byOffset.OutLines[1]);
        Assert.Equal("t      0          2                0", earliest.OutLines[1]);
        Assert.Matches(@"^Group: g  State: Empty  Protocol: -  Coordinator: 1  Members: 0  Lag: 8$", described.OutLines[0]);
    }

    [Fact]
    public async Task Reset_offsets_argument_errors_are_usage_errors()
    {
        await using var broker = await StartBrokerAsync();

        CliResult noTarget = await RunAsync(broker, "group", "reset-offsets", "g", "--topic", "t");
        CliResult twoTargets = await RunAsync(broker, "group", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest");
        CliResult noTopics = await RunAsync(broker, "group", "reset-offsets", "g", "--to-earliest");
        CliResult badTime = await RunAsync(broker, "group", "reset-offsets", "g", "--topic", "t", "--to-datetime", "yesterday");
        CliResult badPartition = await RunAsync(broker, "group", "reset-offsets", "g", "--topic", "t:x", "--to-earliest");
        CliResult nothingCommitted = await RunAsync(broker, "group", "reset-offsets", "g", "--all-topics", "--to-earliest");

        Assert.All([noTarget, twoTargets, noTopics, badTime, badPartition, nothingCommitted], r => Assert.Equal(1, r.ExitCode));
        Assert.StartsWith("fastlog: Give exactly one of --to-earliest, --to-latest, --to-offset or --to-datetime.", noTarget.Error, StringComparison.Ordinal);
        Assert.StartsWith("fastlog: Give exactly one of", twoTargets.Error, StringComparison.Ordinal);
        Assert.StartsWith("fastlog: Give either --topic (repeatable) or --all-topics.", noTopics.Error, StringComparison.Ordinal);
        Assert.StartsWith("fastlog: --to-datetime 'yesterday' is not a date and time", badTime.Error, StringComparison.Ordinal);
        Assert.Equal("fastlog: --topic 't:x': 'x' is not a partition number", badPartition.Error.TrimEnd());
        Assert.Equal("fastlog: group 'g' has no committed offsets; name the topics with --topic", nothingCommitted.Error.TrimEnd());
    }

    [Fact]
    public async Task An_active_group_cannot_be_reset_or_deleted_until_its_consumers_leave()
    {
        await using var broker = await StartBrokerAsync();
        await OkAsync(broker, "topic", "create", "t", "-p", "1");
        var member = new GroupMember(broker.BootstrapServers, "busy", "t", "c1");
        try
        {
            await EventuallyAsync(() => Task.FromResult(member.Assigned.Count == 1), "the member is assigned the partition");

            CliResult reset = await RunAsync(broker, "group", "reset-offsets", "busy", "--topic", "t", "--to-earliest");
            CliResult delete = await RunAsync(broker, "group", "delete", "busy");

            Assert.Equal(3, reset.ExitCode);
            Assert.Equal("fastlog: Group 'busy' is Stable with 1 member(s); offsets can only be reset while it is inactive. Stop its consumers first.", reset.Error.TrimEnd());
            Assert.Equal(3, delete.ExitCode);
            Assert.Equal("fastlog: Group 'busy' is not empty; stop its consumers first.", delete.Error.TrimEnd());
        }
        finally
        {
            member.Dispose();
        }

        CliResult deleted = null!;
        await EventuallyAsync(async () => (deleted = await RunAsync(broker, "group", "delete", "busy")).ExitCode == 0, "the group can be deleted once empty");
        Assert.Equal("Deleted group 'busy'.", deleted.Out.TrimEnd());
        Assert.Equal(["GROUP  STATE  PROTOCOL-TYPE  COORDINATOR"], (await OkAsync(broker, "group", "list")).OutLines);
        Assert.Equal(3, (await RunAsync(broker, "group", "delete", "busy")).ExitCode);
    }
}
