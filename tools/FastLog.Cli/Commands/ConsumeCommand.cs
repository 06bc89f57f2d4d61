using System.CommandLine;
using FastLog.Cli.Output;
using FastLog.Client;
using FastLog.Client.Admin;
using FastLog.Client.Consumer;

namespace FastLog.Cli.Commands;

/// <summary>
/// <c>fastlog consume &lt;topic&gt;</c>: prints records to stdout, one per line, until <c>--max-messages</c>,
/// <c>--timeout-ms</c> of silence, or Ctrl-C (all of which exit 0, the normal ways to stop a reader); the count
/// goes to stderr. Without <c>--group</c> it assigns partitions itself and commits nothing.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Build(CommandRunner runner)
    {
        var o = new ConsumeOptions();
        var command = new Command("consume", "Print a topic's records (-X sets consumer settings, e.g. -X fetch.max.wait.ms=100)");
        o.AddTo(command);
        runner.SetAction(command, async (ctx, ct) =>
        {
            string topic = ctx.Value(o.Topic)!;
            string? group = ctx.Value(o.Group);
            List<TopicPartitionOffset> starts;
            await using (KafkaAdminClient admin = await ctx.ConnectAdminWithSharedSettingsAsync(ct))
            {
                // Also the clear "does not exist" (exit 3) before a consumer would wait for the topic to appear.
                TopicMetadata metadata = (await admin.DescribeTopicsAsync([topic], ct))[0];
                starts = group is null ? await StartPositionsAsync(ctx, o, admin, metadata, ct) : [];
            }

            Dictionary<string, string> settings = ctx.ClientSettings();
            if (group is not null)
            {
                settings["group.id"] = group;
                settings["enable.auto.commit"] = "false";
                settings.TryAdd("auto.offset.reset", ctx.Value(o.FromBeginning) ? "earliest" : "latest");
            }

            string format = ctx.Value(o.Format) ?? (ctx.Json ? "json" : "text");
            var writer = new RecordWriter(ctx.Out, format == "json", ctx.Value(o.PrintKey));
            await using var consumer = new KafkaConsumer<byte[], byte[]>(ParseOptions(settings));
            if (group is null)
            {
                consumer.Assign(starts);
            }
            else
            {
                consumer.Subscribe(topic);
            }

            var loop = new ConsumeLoop(consumer, writer, ctx.Value(o.MaxMessages), ctx.Value(o.TimeoutMs), commit: group is not null);
            long count = await loop.RunAsync(ct);
            await ctx.Error.WriteLineAsync($"{count} record{(count == 1 ? "" : "s")} consumed.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static ConsumerOptions ParseOptions(Dictionary<string, string> settings)
    {
        try
        {
            return ConsumerOptions.FromConfig(settings);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e.Message);
        }
    }

    /// <summary>Where each partition starts without a group: given offset, timestamp, beginning, or (default) the end.</summary>
    private static async Task<List<TopicPartitionOffset>> StartPositionsAsync(CliContext ctx, ConsumeOptions o, KafkaAdminClient admin, TopicMetadata metadata, CancellationToken ct)
    {
        List<int> partitions = [.. metadata.Partitions.Select(p => p.Partition).Order()];
        if (ctx.Value(o.Partition) is { } only)
        {
            if (!partitions.Contains(only))
            {
                throw new CliException(ExitCodes.Refused, $"Topic '{metadata.Name}' has {partitions.Count} partitions; partition {only} does not exist.");
            }

            partitions = [only];
        }

        if (ctx.Value(o.Offset) is { } offset)
        {
            return [.. partitions.Select(p => new TopicPartitionOffset(metadata.Name, p, offset))];
        }

        if (ctx.Value(o.Timestamp) is { } timestamp)
        {
            // The first offset at or after the time; -1 means every record is older, so start at the end.
            IReadOnlyList<ListedOffset> listed = await admin.ListOffsetsAsync(partitions.Select(p => new TopicAndPartition(metadata.Name, p)), OffsetSpec.ForTimestamp(timestamp), ct);
            return [.. listed.Select(l => new TopicPartitionOffset(l.Partition.Topic, l.Partition.Partition, l.Offset < 0 ? Offset.End : l.Offset))];
        }

        long start = ctx.Value(o.FromBeginning) ? Offset.Beginning : Offset.End;
        return [.. partitions.Select(p => new TopicPartitionOffset(metadata.Name, p, start))];
    }
}
