using System.Text.Json;

namespace FastLog.Cli.Output;

/// <summary>The <c>--output json</c> writer: indented, camelCase names, nulls kept so every field is always present.</summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static Task WriteAsync(TextWriter output, object value) =>
        output.WriteLineAsync(JsonSerializer.Serialize(value, Options));
}
