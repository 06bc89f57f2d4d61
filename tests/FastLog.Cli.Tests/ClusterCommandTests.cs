using System.Text.Json;
using FastLog.Cli.Tests.Support;
using static FastLog.Cli.Tests.Support.Cli;

namespace FastLog.Cli.Tests;

public sealed class ClusterCommandTests
{
    [Fact]
    public async Task Info_shows_the_cluster_id_controller_and_brokers_as_text_and_json()
    {
        await using var broker = await StartBrokerAsync();
        int port = broker.LocalEndPoint.Port;

        CliResult text = await OkAsync(broker, "cluster", "info");
        JsonElement json = (await OkAsync(broker, "cluster", "info", "-o", "json")).Json();

        string clusterId = json.GetProperty("clusterId").GetString()!;
        Assert.False(string.IsNullOrEmpty(clusterId));
        string[] lines = text.OutLines;
        Assert.Equal($"Cluster: {clusterId}", lines[0]);
        Assert.Equal("Controller: 1", lines[1]);
        Assert.Equal(["ID", "HOST", "PORT", "RACK", "CONTROLLER"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["1", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-", "yes"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(lines[2].IndexOf("PORT", StringComparison.Ordinal), lines[3].IndexOf(port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Assert.Equal(1, json.GetProperty("controller").GetInt32());
        JsonElement node = Assert.Single(json.GetProperty("brokers").EnumerateArray());
        Assert.Equal(port, node.GetProperty("port").GetInt32());
        Assert.Equal(JsonValueKind.Null, node.GetProperty("rack").ValueKind);
    }
}
