namespace FastLog.Cli;

/// <summary>Parses the <c>key=value</c> arguments of <c>-X</c>, <c>--config</c>, <c>--set</c> and <c>--header</c>.</summary>
internal static class KeyValue
{
    /// <exception cref="CliException">No '=' or an empty key.</exception>
    public static KeyValuePair<string, string> Parse(string entry, string option)
    {
        int equals = entry.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw CliException.Usage($"{option} '{entry}' is not key=value");
        }

        return KeyValuePair.Create(entry[..equals].Trim(), entry[(equals + 1)..]);
    }
}
