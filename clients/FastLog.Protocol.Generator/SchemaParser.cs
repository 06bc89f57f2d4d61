namespace FastLog.Protocol.Generator;

/// <summary>
/// Parses the schema text format (documented in Schema/README.md): a header line per message, then one
/// field per line, nesting by two-space indentation.
/// </summary>
internal static class SchemaParser
{
    public static List<MessageSpec> ParseFile(string path)
    {
        var messages = new List<MessageSpec>();
        MessageSpec? current = null;
        var stack = new List<FieldSpec>();
        int lineNumber = 0;
        foreach (string rawLine in File.ReadLines(path))
        {
            lineNumber++;
            string line = rawLine.TrimEnd();
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            int indent = line.Length - line.TrimStart().Length;
            string[] parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (indent == 0)
            {
                current = ParseHeader(parts);
                messages.Add(current);
                stack.Clear();
                continue;
            }

            if (current is null || indent % 2 != 0)
            {
                throw new FormatException($"{path}:{lineNumber}: field outside a message or odd indentation");
            }

            int depth = (indent / 2) - 1;
            if (depth > stack.Count)
            {
                throw new FormatException($"{path}:{lineNumber}: indentation jumps a level");
            }

            FieldSpec field = ParseField(parts, path, lineNumber);
            stack.RemoveRange(depth, stack.Count - depth);
            (depth == 0 ? current.Fields : stack[depth - 1].Children).Add(field);
            stack.Add(field);
        }

        return messages;
    }

    private static MessageSpec ParseHeader(string[] parts)
    {
        var attributes = parts.Skip(2).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        string flexible = attributes["flexible"];
        return new MessageSpec
        {
            Kind = parts[0],
            Name = parts[1],
            ApiKey = int.Parse(attributes["key"]),
            Versions = VersionRange.Parse(attributes["versions"]),
            FlexibleFrom = flexible == "none" ? null : VersionRange.Parse(flexible).Min,
        };
    }

    private static FieldSpec ParseField(string[] parts, string path, int lineNumber)
    {
        VersionRange? versions = null;
        VersionRange? nullable = null;
        VersionRange? tagged = null;
        int? tag = null;
        string? defaultValue = null;
        foreach (string part in parts.Skip(2))
        {
            if (part.StartsWith('='))
            {
                defaultValue = part[1..];
            }
            else if (part.StartsWith("null", StringComparison.Ordinal))
            {
                nullable = VersionRange.Parse(part[4..]);
            }
            else if (part.StartsWith("tag", StringComparison.Ordinal))
            {
                int at = part.IndexOf('@');
                tag = int.Parse(part[3..at]);
                tagged = VersionRange.Parse(part[(at + 1)..]);
            }
            else if (part.StartsWith('v'))
            {
                versions = VersionRange.Parse(part[1..]);
            }
            else
            {
                throw new FormatException($"{path}:{lineNumber}: unknown attribute '{part}'");
            }
        }

        return new FieldSpec
        {
            Name = parts[0],
            Type = parts[1],
            Versions = versions ?? throw new FormatException($"{path}:{lineNumber}: missing versions"),
            Nullable = nullable,
            Tag = tag,
            Tagged = tagged,
            Default = defaultValue,
        };
    }
}
