namespace FastLog.Server.Configuration;

/// <summary>
/// Reads the subset of the Java .properties format Kafka's server.properties uses: <c>key=value</c>
/// or <c>key: value</c> lines, <c>#</c>/<c>!</c> comments, blank lines, and a trailing backslash
/// continuing a line.
/// </summary>
public static class PropertiesFile
{
    public static IEnumerable<KeyValuePair<string, string>> Parse(string text, string source)
    {
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            int lineNumber = i + 1;
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1] + lines[++i].Trim();
            }

            if (line.Length == 0 || line[0] == '#' || line[0] == '!')
            {
                continue;
            }

            int separator = line.IndexOfAny(['=', ':']);
            if (separator <= 0)
            {
                throw new BrokerConfigException($"{source}:{lineNumber}: '{line}' is not key=value");
            }

            yield return KeyValuePair.Create(line[..separator].Trim(), line[(separator + 1)..].Trim());
        }
    }
}
