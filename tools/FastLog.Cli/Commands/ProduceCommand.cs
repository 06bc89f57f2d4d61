using System.CommandLine;
using System.Text;
using FastLog.Client;
using FastLog.Client.Admin;
using FastLog.Client.Producer;
using FastLog.Protocol;

namespace FastLog.Cli.Commands;

/// <summary>
/// <c>fastlog produce &lt;topic&gt;</c>: one record per stdin line, through the .NET client's producer. Nothing goes
/// to stdout, so the command composes in pipes; the summary and any failure go to stderr.
/// </summary>
internal static class ProduceCommand
{
    public static Command Build(CommandRunner runner)
    {
        var topic = new Argument<string>("topic") { Description = "Topic to produce to" };
        var keySeparator = new Option<string?>("--key-separator", "-K")
        {
            Description = "Split each line at the first SEP into key and value; a line without SEP is a value with a null key (as kcat -K)",
            HelpName = "SEP",
        };
        var headers = new Option<string[]>("--header", "-H") { Description = "A header on every record, key=value; repeatable", HelpName = "key=value" };
        var partition = new Option<int?>("--partition", "-p") { Description = "Write every record to this partition (default: by key, sticky without one)", HelpName = "N" };
        var acks = new Option<string?>("--acks") { Description = "Acknowledgements to wait for: 0, 1 or all (default: all)" };
        acks.AcceptOnlyFromAmong("0", "1", "all", "-1");
        var compression = new Option<string?>("--compression", "-z") { Description = "Batch compression: none, gzip, snappy, lz4 or zstd" };
        compression.AcceptOnlyFromAmong("none", "gzip", "snappy", "lz4", "zstd");
        var command = new Command("produce", "Produce stdin's lines as records (-X sets producer settings, e.g. -X linger.ms=20)")
        {
            topic, keySeparator, headers, partition, acks, compression,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(keySeparator) is { Length: 0 })
            {
                result.AddError("--key-separator must not be empty.");
            }

            if (result.GetValue(partition) is < 0)
            {
                result.AddError("--partition must not be negative.");
            }
        });
        runner.SetAction(command, async (ctx, ct) =>
        {
            string topicName = ctx.Value(topic)!;
            Header[] recordHeaders = [.. (ctx.Value(headers) ?? []).Select(h => KeyValue.Parse(h, "--header")).Select(kv => new Header(kv.Key, Encoding.UTF8.GetBytes(kv.Value)))];
            Dictionary<string, string> settings = ctx.ClientSettings();
            if (ctx.Value(acks) is { } a)
            {
                settings["acks"] = a;
            }

            if (ctx.Value(compression) is { } c)
            {
                settings["compression.type"] = c;
            }

            ProducerOptions options = ParseOptions(settings);
            await using (KafkaAdminClient admin = await ctx.ConnectAdminWithSharedSettingsAsync(ct))
            {
                await CheckTopicAsync(admin, topicName, options.AllowAutoCreateTopics, ct);
            }

            var lines = new LineProducer(topicName, ctx.Value(partition) ?? -1, ctx.Value(keySeparator), recordHeaders);
            await using (var producer = new KafkaProducer<string, string>(options))
            {
                while (await ctx.Io.In.ReadLineAsync(ct) is { } line)
                {
                    lines.Produce(producer, line);
                }

                await producer.FlushAsync(ct);
            }

            return await lines.ReportAsync(ctx.Error);
        });
        return command;
    }

    private static ProducerOptions ParseOptions(Dictionary<string, string> settings)
    {
        try
        {
            return ProducerOptions.FromConfig(settings);
        }
        catch (ArgumentException e)
        {
            throw CliException.Usage(e.Message);
        }
    }

    /// <summary>
    /// Fails at once for a topic that does not exist and will not be created: the producer itself would wait
    /// <c>max.block.ms</c> (a minute by default) for it to appear, which reads as a hang at a terminal.
    /// </summary>
    private static async Task CheckTopicAsync(KafkaAdminClient admin, string topic, bool producerMayCreate, CancellationToken ct)
    {
        try
        {
            await admin.DescribeTopicsAsync([topic], ct);
            return;
        }
        catch (KafkaException e) when (e.Error == ErrorCode.UnknownTopicOrPartition)
        {
            // Missing: fine if the broker creates it on first use.
        }

        string? reason = producerMayCreate ? await BrokerRefusesAutoCreateAsync(admin, ct) : "allow.auto.create.topics=false";
        if (reason is not null)
        {
            throw new CliException(ExitCodes.Refused, $"Topic '{topic}' does not exist and is not created automatically ({reason}); create it with 'fastlog topic create {topic}'.");
        }
    }

    /// <summary>Why the brokers will not auto-create a topic, or null when they will.</summary>
    private static async Task<string?> BrokerRefusesAutoCreateAsync(KafkaAdminClient admin, CancellationToken ct)
    {
        ClusterDescription cluster = await admin.DescribeClusterAsync(ct);
        BrokerNode? node = cluster.Controller ?? (cluster.Brokers.Count > 0 ? cluster.Brokers[0] : null);
        if (node is null)
        {
            return null;
        }

        ConfigResource resource = ConfigResource.Broker(node.NodeId);
        var configs = await admin.DescribeConfigsAsync([resource], cancellationToken: ct);
        ConfigEntry? entry = configs[resource].FirstOrDefault(c => c.Name == "auto.create.topics.enable");
        return entry?.Value is "false" ? "auto.create.topics.enable=false on the broker" : null;
    }
}
