using System.CommandLine;
using FastLog.Cli.Output;
using FastLog.Client;
using FastLog.Client.Admin;
using FastLog.Protocol;

namespace FastLog.Cli.Commands;

/// <summary><c>fastlog topic create|list|describe|delete|alter-config|add-partitions</c>, shaped after kafka-topics.sh and rpk topic.</summary>
internal static class TopicCommands
{
    public static Command Build(CommandRunner runner)
    {
        var topic = new Command("topic", "Create, list, describe, alter and delete topics");
        topic.Subcommands.Add(Create(runner));
        topic.Subcommands.Add(List(runner));
        topic.Subcommands.Add(Describe(runner));
        topic.Subcommands.Add(Delete(runner));
        topic.Subcommands.Add(AlterConfig(runner));
        topic.Subcommands.Add(AddPartitions(runner));
        return topic;
    }

    private static Command Create(CommandRunner runner)
    {
        var name = new Argument<string>("topic") { Description = "Topic name" };
        var partitions = new Option<int>("--partitions", "-p") { Description = "Partition count (default: the broker's num.partitions)", DefaultValueFactory = _ => -1 };
        var replication = new Option<short>("--replication-factor", "-r") { Description = "Replicas per partition (default: the broker's default.replication.factor)", DefaultValueFactory = _ => -1 };
        var configs = new Option<string[]>("--config", "-c") { Description = "A topic config, key=value (e.g. -c retention.ms=86400000); repeatable", HelpName = "key=value" };
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Succeed quietly when the topic already exists" };
        var validateOnly = new Option<bool>("--validate-only") { Description = "Only check that the topic could be created" };
        var command = new Command("create", "Create a topic") { name, partitions, replication, configs, ifNotExists, validateOnly };
        runner.SetAction(command, async (ctx, ct) =>
        {
            string topicName = ctx.Value(name)!;
            var newTopic = new NewTopic(topicName, ctx.Value(partitions), ctx.Value(replication))
            {
                Configs = (ctx.Value(configs) ?? []).Select(c => KeyValue.Parse(c, "--config")).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            };
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            CreatedTopic created;
            try
            {
                created = (await admin.CreateTopicsAsync([newTopic], ctx.Value(validateOnly), ct))[0];
            }
            catch (KafkaException e) when (e.Error == ErrorCode.TopicAlreadyExists && ctx.Value(ifNotExists))
            {
                await ctx.Out.WriteLineAsync($"Topic '{topicName}' already exists.");
                return ExitCodes.Ok;
            }

            if (ctx.Json)
            {
                await Json.WriteAsync(ctx.Out, new { created.Name, TopicId = Id(created.TopicId), Partitions = created.NumPartitions, created.ReplicationFactor, ValidateOnly = ctx.Value(validateOnly) });
                return ExitCodes.Ok;
            }

            string shape = $"{created.NumPartitions} partition{(created.NumPartitions == 1 ? "" : "s")}, replication factor {created.ReplicationFactor}";
            await ctx.Out.WriteLineAsync(ctx.Value(validateOnly)
                ? $"Topic '{created.Name}' can be created ({shape}); nothing was changed (--validate-only)."
                : $"Created topic '{created.Name}' ({shape}).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var includeInternal = new Option<bool>("--internal", "-i") { Description = "Also list internal topics such as __consumer_offsets" };
        var command = new Command("list", "List topics") { includeInternal };
        command.Aliases.Add("ls");
        runner.SetAction(command, async (ctx, ct) =>
        {
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            IReadOnlyList<TopicMetadata> topics = await admin.ListTopicsAsync(ctx.Value(includeInternal), ct);
            if (ctx.Json)
            {
                await Json.WriteAsync(ctx.Out, topics.Select(t => new { t.Name, TopicId = Id(t.TopicId), Partitions = t.Partitions.Count, ReplicationFactor = ReplicationFactor(t), Internal = t.IsInternal }));
                return ExitCodes.Ok;
            }

            var table = new TextTable("NAME", "PARTITIONS", "REPLICAS");
            foreach (TopicMetadata t in topics)
            {
                table.Add(t.Name, t.Partitions.Count, ReplicationFactor(t));
            }

            await table.WriteAsync(ctx.Out);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe(CommandRunner runner)
    {
        var names = new Argument<string[]>("topic") { Description = "Topic names", Arity = ArgumentArity.OneOrMore };
        var allConfigs = new Option<bool>("--all-configs", "-a") { Description = "List every config, not only those that differ from the defaults" };
        var command = new Command("describe", "Show topics' partitions (leader, replicas, in-sync replicas) and configs") { names, allConfigs };
        runner.SetAction(command, async (ctx, ct) =>
        {
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            IReadOnlyList<TopicMetadata> topics = await admin.DescribeTopicsAsync(ctx.Value(names)!, ct);
            var configs = await admin.DescribeConfigsAsync(topics.Select(t => ConfigResource.Topic(t.Name)), cancellationToken: ct);
            var described = topics.Select(t => (Topic: t, Configs: configs[ConfigResource.Topic(t.Name)].Where(c => ctx.Value(allConfigs) || !c.IsDefault).ToList())).ToList();
            if (ctx.Json)
            {
                await Json.WriteAsync(ctx.Out, described.Select(d => new
                {
                    d.Topic.Name,
                    TopicId = Id(d.Topic.TopicId),
                    Internal = d.Topic.IsInternal,
                    ReplicationFactor = ReplicationFactor(d.Topic),
                    Partitions = d.Topic.Partitions.Select(p => new { p.Partition, Leader = p.LeaderId, p.LeaderEpoch, p.Replicas, Isr = p.InSyncReplicas }),
                    Configs = d.Configs.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal),
                }));
                return ExitCodes.Ok;
            }

            bool first = true;
            foreach ((TopicMetadata t, List<ConfigEntry> entries) in described)
            {
                if (!first)
                {
                    await ctx.Out.WriteLineAsync();
                }

                first = false;
                await ctx.Out.WriteLineAsync($"Topic: {t.Name}  TopicId: {Id(t.TopicId) ?? "-"}  Partitions: {t.Partitions.Count}  ReplicationFactor: {ReplicationFactor(t)}{(t.IsInternal ? "  Internal: true" : "")}");
                await ctx.Out.WriteLineAsync(entries.Count == 0 ? "Configs: (all defaults)" : "Configs: " + string.Join(", ", entries.Select(c => $"{c.Name}={c.Value}")));
                await ctx.Out.WriteLineAsync();
                var table = new TextTable("PARTITION", "LEADER", "REPLICAS", "ISR");
                foreach (PartitionMetadata p in t.Partitions)
                {
                    table.Add(p.Partition, p.LeaderId, string.Join(',', p.Replicas), string.Join(',', p.InSyncReplicas));
                }

                await table.WriteAsync(ctx.Out);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CommandRunner runner)
    {
        var names = new Argument<string[]>("topic") { Description = "Topic names", Arity = ArgumentArity.OneOrMore };
        var ifExists = new Option<bool>("--if-exists") { Description = "Succeed quietly for topics that do not exist" };
        var command = new Command("delete", "Delete topics and all their records") { names, ifExists };
        runner.SetAction(command, async (ctx, ct) =>
        {
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            foreach (string name in ctx.Value(names)!.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    await admin.DeleteTopicsAsync([name], ct);
                    await ctx.Out.WriteLineAsync($"Deleted topic '{name}'.");
                }
                catch (KafkaException e) when (e.Error == ErrorCode.UnknownTopicOrPartition && ctx.Value(ifExists))
                {
                    await ctx.Out.WriteLineAsync($"Topic '{name}' does not exist.");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AlterConfig(CommandRunner runner)
    {
        var name = new Argument<string>("topic") { Description = "Topic name" };
        var set = new Option<string[]>("--set", "-s") { Description = "Set a config, key=value; repeatable", HelpName = "key=value" };
        var delete = new Option<string[]>("--delete", "-d") { Description = "Remove an override (back to the default); repeatable", HelpName = "key" };
        var append = new Option<string[]>("--append") { Description = "Add items to a list config, key=item[,item]; repeatable", HelpName = "key=items" };
        var subtract = new Option<string[]>("--subtract") { Description = "Remove items from a list config, key=item[,item]; repeatable", HelpName = "key=items" };
        var validateOnly = new Option<bool>("--validate-only") { Description = "Only check that the change is valid" };
        var command = new Command("alter-config", "Change some of a topic's configs, leaving the others as they are") { name, set, delete, append, subtract, validateOnly };
        command.Validators.Add(result =>
        {
            if (new[] { set, delete, append, subtract }.All(o => (result.GetValue(o) ?? []).Length == 0))
            {
                result.AddError("Give at least one of --set, --delete, --append or --subtract.");
            }
        });
        runner.SetAction(command, async (ctx, ct) =>
        {
            var ops = new List<AlterConfigOp>();
            ops.AddRange((ctx.Value(set) ?? []).Select(e => KeyValue.Parse(e, "--set")).Select(kv => AlterConfigOp.Set(kv.Key, kv.Value)));
            ops.AddRange((ctx.Value(delete) ?? []).Select(AlterConfigOp.Delete));
            ops.AddRange((ctx.Value(append) ?? []).Select(e => KeyValue.Parse(e, "--append")).Select(kv => new AlterConfigOp(kv.Key, AlterConfigOpType.Append, kv.Value)));
            ops.AddRange((ctx.Value(subtract) ?? []).Select(e => KeyValue.Parse(e, "--subtract")).Select(kv => new AlterConfigOp(kv.Key, AlterConfigOpType.Subtract, kv.Value)));
            string topicName = ctx.Value(name)!;
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            await admin.IncrementalAlterConfigsAsync(ConfigResource.Topic(topicName), ops, ctx.Value(validateOnly), ct);
            await ctx.Out.WriteLineAsync(ctx.Value(validateOnly)
                ? $"The config change for topic '{topicName}' is valid; nothing was changed (--validate-only)."
                : $"Altered configs of topic '{topicName}': {string.Join(", ", ops.Select(Describe))}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AddPartitions(CommandRunner runner)
    {
        var name = new Argument<string>("topic") { Description = "Topic name" };
        var total = new Option<int>("--partitions", "-p") { Description = "The partition count afterwards (larger than now)", Required = true };
        var command = new Command("add-partitions", "Raise a topic's partition count") { name, total };
        runner.SetAction(command, async (ctx, ct) =>
        {
            string topicName = ctx.Value(name)!;
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            await admin.CreatePartitionsAsync([new NewPartitions(topicName, ctx.Value(total))], cancellationToken: ct);
            await ctx.Out.WriteLineAsync($"Topic '{topicName}' now has {ctx.Value(total)} partitions.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(AlterConfigOp op) => op.Operation switch
    {
        AlterConfigOpType.Set => $"{op.Name}={op.Value}",
        AlterConfigOpType.Delete => $"{op.Name} reset to default",
        AlterConfigOpType.Append => $"{op.Name} += {op.Value}",
        _ => $"{op.Name} -= {op.Value}",
    };

    private static int ReplicationFactor(TopicMetadata topic) => topic.Partitions.Count == 0 ? 0 : topic.Partitions[0].Replicas.Count;

    /// <summary>Kafka's spelling of a topic id (what kafka-topics prints): URL-safe base64 of the 16 bytes, unpadded.</summary>
    private static string? Id(Guid id)
    {
        if (id == Guid.Empty)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
