namespace FastLog.Cli;

/// <summary>
/// The streams and environment a command sees. The real process passes the console and its environment; tests pass
/// string readers and writers and a fixed set of variables, so a whole command runs in-process and its output can
/// be checked.
/// </summary>
internal sealed record CliIo(TextReader In, TextWriter Out, TextWriter Error, IReadOnlyDictionary<string, string> Variables)
{
    /// <summary>The process's console and environment.</summary>
    public static CliIo FromConsole() => new(
        Console.In,
        Console.Out,
        Console.Error,
        System.Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal));

    /// <summary>Given streams and an environment with only <paramref name="variables"/> (none by default).</summary>
    public static CliIo Of(TextReader input, TextWriter output, TextWriter error, IReadOnlyDictionary<string, string>? variables = null) =>
        new(input, output, error, variables ?? new Dictionary<string, string>());

    /// <summary>An environment variable, or null when unset.</summary>
    public string? Environment(string name) => Variables.TryGetValue(name, out string? value) ? value : null;
}
