using System.CommandLine;
using System.Globalization;
using FastLog.Cli.Output;
using FastLog.Client;
using FastLog.Client.Admin;
using FastLog.Protocol;

namespace FastLog.Cli.Commands;

/// <summary><c>fastlog group list|describe|reset-offsets|delete</c>, shaped after kafka-consumer-groups.sh and rpk group.</summary>
internal static class GroupCommands
{
    public static Command Build(CommandRunner runner)
    {
        var group = new Command("group", "List, describe, reset offsets of and delete consumer groups");
        group.Subcommands.Add(List(runner));
        group.Subcommands.Add(Describe(runner));
        group.Subcommands.Add(ResetOffsets(runner));
        group.Subcommands.Add(Delete(runner));
        return group;
    }

    private static Command List(CommandRunner runner)
    {
        var command = new Command("list", "List consumer groups");
        command.Aliases.Add("ls");
        runner.SetAction(command, async (ctx, ct) =>
        {
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            IReadOnlyList<GroupListing> groups = await admin.ListGroupsAsync(ct);
            if (ctx.Json)
            {
                await Json.WriteAsync(ctx.Out, groups.Select(g => new { Group = g.GroupId, State = g.State.ToString(), g.ProtocolType, Coordinator = g.CoordinatorId }));
                return ExitCodes.Ok;
            }

            var table = new TextTable("GROUP", "STATE", "PROTOCOL-TYPE", "COORDINATOR");
            foreach (GroupListing g in groups)
            {
                table.Add(g.GroupId, g.State, g.ProtocolType.Length == 0 ? null : g.ProtocolType, g.CoordinatorId);
            }

            await table.WriteAsync(ctx.Out);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe(CommandRunner runner)
    {
        var ids = new Argument<string[]>("group") { Description = "Group ids", Arity = ArgumentArity.OneOrMore };
        var command = new Command("describe", "Show groups' members, their assignments, and committed offsets with lag per partition") { ids };
        runner.SetAction(command, async (ctx, ct) =>
        {
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            var reports = new List<GroupReport>();
            foreach (GroupDescription group in await admin.DescribeGroupsAsync(ctx.Value(ids)!.Distinct(StringComparer.Ordinal), ct))
            {
                reports.Add(await GroupReport.BuildAsync(admin, group, ct));
            }

            if (ctx.Json)
            {
                await Json.WriteAsync(ctx.Out, reports.Select(r => r.ToJson()));
                return ExitCodes.Ok;
            }

            for (int i = 0; i < reports.Count; i++)
            {
                if (i > 0)
                {
                    await ctx.Out.WriteLineAsync();
                }

                await reports[i].WriteAsync(ctx.Out);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ResetOffsets(CommandRunner runner)
    {
        var id = new Argument<string>("group") { Description = "Group id" };
        var topics = new Option<string[]>("--topic", "-t") { Description = "A topic, or topic:partition[,partition...]; repeatable", HelpName = "topic[:partitions]" };
        var allTopics = new Option<bool>("--all-topics") { Description = "Every topic the group has committed offsets for" };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "Reset to the earliest offset still in each partition" };
        var toLatest = new Option<bool>("--to-latest") { Description = "Reset to the end of each partition (skip everything so far)" };
        var toOffset = new Option<long?>("--to-offset") { Description = "Reset to this offset (clamped to each partition's range)", HelpName = "offset" };
        var toDatetime = new Option<string?>("--to-datetime") { Description = "Reset to the first record at or after this time, e.g. 2024-05-01T12:00:00Z (UTC unless an offset is given)", HelpName = "time" };
        var execute = new Option<bool>("--execute") { Description = "Commit the new offsets; without it the command only shows them (dry run)" };
        var command = new Command("reset-offsets", "Move an inactive group's committed offsets (dry run unless --execute)")
        {
            id, topics, allTopics, toEarliest, toLatest, toOffset, toDatetime, execute,
        };
        command.Validators.Add(result =>
        {
            int targets = (result.GetValue(toEarliest) ? 1 : 0) + (result.GetValue(toLatest) ? 1 : 0)
                + (result.GetValue(toOffset) is null ? 0 : 1) + (result.GetValue(toDatetime) is null ? 0 : 1);
            if (targets != 1)
            {
                result.AddError("Give exactly one of --to-earliest, --to-latest, --to-offset or --to-datetime.");
            }

            bool named = (result.GetValue(topics) ?? []).Length > 0;
            if (named == result.GetValue(allTopics))
            {
                result.AddError("Give either --topic (repeatable) or --all-topics.");
            }

            if (result.GetValue(toOffset) is < 0)
            {
                result.AddError("--to-offset must not be negative.");
            }

            if (result.GetValue(toDatetime) is { } time && !TryParseTime(time, out _))
            {
                result.AddError($"--to-datetime '{time}' is not a date and time such as 2024-05-01T12:00:00Z.");
            }
        });
        runner.SetAction(command, async (ctx, ct) =>
        {
            string groupId = ctx.Value(id)!;
            OffsetResetSpec spec = ctx.Value(toEarliest) ? OffsetResetSpec.Earliest
                : ctx.Value(toLatest) ? OffsetResetSpec.Latest
                : ctx.Value(toOffset) is { } offset ? OffsetResetSpec.ToOffset(offset)
                : OffsetResetSpec.ToTimestamp(TryParseTime(ctx.Value(toDatetime)!, out DateTimeOffset time) ? time : default);
            bool dryRun = !ctx.Value(execute);
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            IReadOnlyList<CommittedOffset> before = await admin.ListGroupOffsetsAsync(groupId, cancellationToken: ct);
            List<TopicAndPartition> partitions = await PartitionsAsync(admin, groupId, ctx.Value(topics) ?? [], before, ct);
            IReadOnlyList<CommittedOffset> after = await admin.ResetGroupOffsetsAsync(groupId, partitions, spec, dryRun, ct);
            Dictionary<TopicAndPartition, long> previous = before.ToDictionary(o => o.Partition, o => o.Offset);
            if (ctx.Json)
            {
                await Json.WriteAsync(ctx.Out, new
                {
                    Group = groupId,
                    DryRun = dryRun,
                    Offsets = after.Select(o => new { o.Partition.Topic, o.Partition.Partition, PreviousOffset = Previous(previous, o.Partition), NewOffset = o.Offset }),
                });
            }
            else
            {
                var table = new TextTable("TOPIC", "PARTITION", "PREVIOUS-OFFSET", "NEW-OFFSET");
                foreach (CommittedOffset o in after)
                {
                    table.Add(o.Partition.Topic, o.Partition.Partition, Previous(previous, o.Partition), o.Offset);
                }

                await table.WriteAsync(ctx.Out);
            }

            await ctx.Error.WriteLineAsync(dryRun
                ? $"Dry run: group '{groupId}' is unchanged. Add --execute to commit these offsets."
                : $"Committed the new offsets of group '{groupId}'.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var ids = new Argument<string[]>("group") { Description = "Group ids", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete empty consumer groups and their committed offsets") { ids };
        runner.SetAction(command, async (ctx, ct) =>
        {
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            foreach (string groupId in ctx.Value(ids)!.Distinct(StringComparer.Ordinal))
            {
                await admin.DeleteGroupsAsync([groupId], ct);
                await ctx.Out.WriteLineAsync($"Deleted group '{groupId}'.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The partitions named by --topic (all of a topic's, or a list), or for --all-topics every partition of every topic the group committed to.</summary>
    private static async Task<List<TopicAndPartition>> PartitionsAsync(
        KafkaAdminClient admin, string groupId, string[] topicArgs, IReadOnlyList<CommittedOffset> committed, CancellationToken ct)
    {
        var explicitPartitions = new List<TopicAndPartition>();
        var wholeTopics = new List<string>();
        if (topicArgs.Length == 0)
        {
            wholeTopics.AddRange(committed.Select(o => o.Partition.Topic).Distinct(StringComparer.Ordinal));
            if (wholeTopics.Count == 0)
            {
                throw CliException.Usage($"group '{groupId}' has no committed offsets; name the topics with --topic");
            }
        }

        foreach (string arg in topicArgs)
        {
            int colon = arg.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                wholeTopics.Add(arg);
                continue;
            }

            foreach (string p in arg[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
                {
                    throw CliException.Usage($"--topic '{arg}': '{p}' is not a partition number");
                }

                explicitPartitions.Add(new TopicAndPartition(arg[..colon], partition));
            }
        }

        if (wholeTopics.Count > 0)
        {
            foreach (TopicMetadata topic in await admin.DescribeTopicsAsync(wholeTopics.Distinct(StringComparer.Ordinal), ct))
            {
                explicitPartitions.AddRange(topic.Partitions.Select(p => new TopicAndPartition(topic.Name, p.Partition)));
            }
        }

        return [.. explicitPartitions.Distinct().OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)];
    }

    private static long? Previous(Dictionary<TopicAndPartition, long> previous, TopicAndPartition partition) =>
        previous.TryGetValue(partition, out long offset) && offset >= 0 ? offset : null;

    private static bool TryParseTime(string value, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
}
