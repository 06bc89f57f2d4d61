using System.Text.Json;

namespace FastLog.Bench.Common;

/// <summary>
/// Describes the runtime settings a broker build starts with, read from the runtimeconfig.json beside
/// its dll, so a report says what was measured rather than what the harness assumes (a
/// <c>--broker-dll</c> of an older commit may differ).
/// </summary>
public static class BrokerRuntime
{
    /// <summary>E.g. "server GC, tiered compilation off, thread-pool spin limit 0"; "runtime settings unknown" without a readable file.</summary>
    public static string Describe(string brokerDll)
    {
        string path = Path.ChangeExtension(brokerDll, ".runtimeconfig.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var properties = document.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var found) ? found : default;
            return Describe(properties);
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or UnauthorizedAccessException)
        {
            return "runtime settings unknown";
        }
    }

    /// <summary>The description of a runtimeconfig's <c>configProperties</c> object (absent: the runtime's defaults).</summary>
    public static string Describe(JsonElement configProperties)
    {
        JsonElement Property(string name) =>
            configProperties.ValueKind == JsonValueKind.Object && configProperties.TryGetProperty(name, out var value) ? value : default;

        bool Flag(string name, bool fallback) =>
            Property(name) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : fallback;

        var parts = new List<string>
        {
            Flag("System.GC.Server", fallback: false) ? "server GC" : "workstation GC",
            Flag("System.Runtime.TieredCompilation", fallback: true) ? "tiered compilation on" : "tiered compilation off",
        };
        if (Property("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit") is { ValueKind: JsonValueKind.Number } spin)
        {
            parts.Add($"thread-pool spin limit {spin.GetInt32()}");
        }

        return string.Join(", ", parts);
    }
}
