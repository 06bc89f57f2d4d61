using System.Text.Json;
using FastLog.Bench.Common;

namespace FastLog.Bench.Tests;

/// <summary>Reports name the broker build's runtime settings as its runtimeconfig gives them.</summary>
public sealed class BrokerRuntimeTests
{
    [Fact]
    public void Names_gc_mode_tiered_compilation_and_spin_limit_from_the_runtimeconfig()
    {
        using var temp = new TempDirectory();
        string dll = Path.Combine(temp.Path, "FastLog.Broker.dll");
        File.WriteAllText(Path.ChangeExtension(dll, ".runtimeconfig.json"), """
            { "runtimeOptions": { "tfm": "net10.0", "configProperties": {
                "System.GC.Server": true,
                "System.Runtime.TieredCompilation": false,
                "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit": 0 } } }
            """);

        Assert.Equal("server GC, tiered compilation off, thread-pool spin limit 0", BrokerRuntime.Describe(dll));
    }

    [Fact]
    public void Settings_the_runtimeconfig_leaves_out_are_the_runtime_defaults()
    {
        using var document = JsonDocument.Parse("{}");

        Assert.Equal("workstation GC, tiered compilation on", BrokerRuntime.Describe(document.RootElement));
        Assert.Equal("workstation GC, tiered compilation on", BrokerRuntime.Describe(default(JsonElement)));
    }

    [Fact]
    public void A_build_without_a_readable_runtimeconfig_is_reported_as_unknown()
    {
        using var temp = new TempDirectory();
        string dll = Path.Combine(temp.Path, "FastLog.Broker.dll");
        Assert.Equal("runtime settings unknown", BrokerRuntime.Describe(dll));

        File.WriteAllText(Path.ChangeExtension(dll, ".runtimeconfig.json"), "{ not json");
        Assert.Equal("runtime settings unknown", BrokerRuntime.Describe(dll));
    }
}
