using System.CommandLine;
using FastLog.Cli.Output;
using FastLog.Client;
using FastLog.Client.Admin;

namespace FastLog.Cli.Commands;

/// <summary><c>fastlog cluster info</c>: the cluster id, the controller and the brokers (rpk cluster info).</summary>
internal static class ClusterCommands
{
    public static Command Build(CommandRunner runner)
    {
        var cluster = new Command("cluster", "Inspect the cluster");
        var info = new Command("info", "Show the cluster id, the controller and every broker");
        runner.SetAction(info, async (ctx, ct) =>
        {
            await using KafkaAdminClient admin = await ctx.ConnectAdminAsync(ct);
            ClusterDescription description = await admin.DescribeClusterAsync(ct);
            if (ctx.Json)
            {
                await Json.WriteAsync(ctx.Out, new
                {
                    description.ClusterId,
                    Controller = description.ControllerId,
                    Brokers = description.Brokers.Select(b => new { Id = b.NodeId, b.Host, b.Port, b.Rack }),
                });
                return ExitCodes.Ok;
            }

            await ctx.Out.WriteLineAsync($"Cluster: {description.ClusterId ?? "-"}");
            await ctx.Out.WriteLineAsync($"Controller: {(description.ControllerId < 0 ? "-" : description.ControllerId)}");
            await ctx.Out.WriteLineAsync();
            var table = new TextTable("ID", "HOST", "PORT", "RACK", "CONTROLLER");
            foreach (BrokerNode b in description.Brokers)
            {
                table.Add(b.NodeId, b.Host, b.Port, b.Rack, b.NodeId == description.ControllerId ? "yes" : string.Empty);
            }

            await table.WriteAsync(ctx.Out);
            return ExitCodes.Ok;
        });
        cluster.Subcommands.Add(info);
        return cluster;
    }
}
