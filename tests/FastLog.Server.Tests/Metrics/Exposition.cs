using System.Globalization;
using System.Text;

namespace FastLog.Server.Tests.Metrics;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, written for the tests from the
/// format's description rather than from the broker's writer: it refuses (with the line number) a
/// malformed name, label or value, a sample whose family has no TYPE, a family split in two, a
/// second HELP or TYPE, a histogram bucket without <c>le</c>, buckets that decrease, and a
/// <c>+Inf</c> bucket that differs from <c>_count</c>.
/// </summary>
internal sealed class Exposition
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private Exposition(Dictionary<string, string> types, Dictionary<string, string> helps, List<ExpositionSample> samples)
    {
        FamilyTypes = types;
        Helps = helps;
        Samples = samples;
    }

    public IReadOnlyDictionary<string, string> FamilyTypes { get; }

    public IReadOnlyDictionary<string, string> Helps { get; }

    public IReadOnlyList<ExpositionSample> Samples { get; }

    public static Exposition Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a line feed");
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<ExpositionSample>();
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length - 1; i++)
        {
            string line = lines[i];
            try
            {
                if (line.Length == 0)
                {
                    continue;
                }

                if (line.StartsWith('#'))
                {
                    ReadComment(line, types, helps, samples);
                    continue;
                }

                var sample = ReadSample(line);
                string family = FamilyOf(sample.Name, types) ?? throw new FormatException($"sample {sample.Name} has no TYPE line");
                if (family != current)
                {
                    if (current is not null)
                    {
                        finished.Add(current);
                    }

                    if (finished.Contains(family))
                    {
                        throw new FormatException($"the samples of {family} are not together");
                    }

                    current = family;
                }

                samples.Add(sample with { Family = family });
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {i + 1} '{line}': {e.Message}", e);
            }
        }

        var exposition = new Exposition(types, helps, samples);
        exposition.CheckHistograms();
        return exposition;
    }

    /// <summary>The value of the one sample named <paramref name="name"/> with exactly these labels; fails when there is none or several.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var matches = Samples.Where(s => s.Name == name && s.HasExactly(labels)).ToList();
        Assert.True(matches.Count == 1, $"expected one sample {name}{{{string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}, found {matches.Count}");
        return matches[0].Value;
    }

    public IEnumerable<ExpositionSample> Named(string name) => Samples.Where(s => s.Name == name);

    private static void ReadComment(string line, Dictionary<string, string> types, Dictionary<string, string> helps, List<ExpositionSample> samples)
    {
        string[] parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE"))
        {
            return; // a plain comment
        }

        string name = parts[2];
        RequireName(name);
        string rest = parts.Length == 4 ? parts[3] : string.Empty;
        if (parts[1] == "HELP")
        {
            if (!helps.TryAdd(name, Unescape(rest, allowQuote: false)))
            {
                throw new FormatException($"a second HELP for {name}");
            }

            return;
        }

        if (!Types.Contains(rest))
        {
            throw new FormatException($"unknown type '{rest}'");
        }

        if (samples.Any(s => s.Family == name))
        {
            throw new FormatException($"TYPE of {name} after its samples");
        }

        if (!types.TryAdd(name, rest))
        {
            throw new FormatException($"a second TYPE for {name}");
        }
    }

    private static ExpositionSample ReadSample(string line)
    {
        int position = 0;
        string name = ReadName(line, ref position, metric: true);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (line[position] != '}')
            {
                string label = ReadName(line, ref position, metric: false);
                if (line[position] != '=' || line[position + 1] != '"')
                {
                    throw new FormatException($"label {label} has no =\"");
                }

                position += 2;
                var value = new StringBuilder();
                while (line[position] != '"')
                {
                    if (line[position] == '\\')
                    {
                        position++;
                        value.Append(line[position] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var c => throw new FormatException($"bad escape \\{c}"),
                        });
                    }
                    else
                    {
                        value.Append(line[position]);
                    }

                    position++;
                }

                position++;
                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"label {label} twice");
                }

                if (line[position] == ',')
                {
                    position++;
                }
                else if (line[position] != '}')
                {
                    throw new FormatException("labels must be separated by commas");
                }
            }

            position++;
        }

        if (position >= line.Length || line[position] != ' ')
        {
            throw new FormatException("no space before the value");
        }

        string[] fields = line[(position + 1)..].Split(' ');
        if (fields.Length is < 1 or > 2)
        {
            throw new FormatException("expected a value and at most a timestamp");
        }

        return new ExpositionSample(name, labels, ParseValue(fields[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : throw new FormatException($"'{text}' is not a number"),
    };

    private static string ReadName(string line, ref int position, bool metric)
    {
        int start = position;
        while (position < line.Length && (char.IsAsciiLetterOrDigit(line[position]) || line[position] == '_' || (metric && line[position] == ':')))
        {
            position++;
        }

        string name = line[start..position];
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            throw new FormatException($"'{name}' is not a valid {(metric ? "metric" : "label")} name");
        }

        return name;
    }

    private static void RequireName(string name)
    {
        int position = 0;
        ReadName(name, ref position, metric: true);
        if (position != name.Length)
        {
            throw new FormatException($"'{name}' is not a valid metric name");
        }
    }

    private static string? FamilyOf(string sampleName, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sampleName))
        {
            return sampleName;
        }

        foreach (string suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) &&
                types.TryGetValue(sampleName[..^suffix.Length], out string? type) &&
                (type == "histogram" || (type == "summary" && suffix != "_bucket")))
            {
                return sampleName[..^suffix.Length];
            }
        }

        return null;
    }

    private static string Unescape(string text, bool allowQuote)
    {
        var result = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            i++;
            result.Append(i < text.Length ? text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when allowQuote => '"',
                var c => throw new FormatException($"bad escape \\{c}"),
            } : throw new FormatException("a lone backslash"));
        }

        return result.ToString();
    }

    private void CheckHistograms()
    {
        foreach (var (family, _) in FamilyTypes.Where(t => t.Value == "histogram"))
        {
            var series = Samples.Where(s => s.Family == family)
                .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")));
            foreach (var one in series)
            {
                var buckets = one.Where(s => s.Name == family + "_bucket").ToList();
                if (buckets.Count == 0 || buckets.Any(b => !b.Labels.ContainsKey("le")))
                {
                    throw new FormatException($"{family}{{{one.Key}}}: buckets missing or without le");
                }

                var ordered = buckets.OrderBy(b => ParseValue(b.Labels["le"])).ToList();
                for (int i = 1; i < ordered.Count; i++)
                {
                    if (ordered[i].Value < ordered[i - 1].Value)
                    {
                        throw new FormatException($"{family}{{{one.Key}}}: bucket le={ordered[i].Labels["le"]} is below the one before it");
                    }
                }

                var count = one.SingleOrDefault(s => s.Name == family + "_count") ?? throw new FormatException($"{family}{{{one.Key}}}: no _count");
                _ = one.SingleOrDefault(s => s.Name == family + "_sum") ?? throw new FormatException($"{family}{{{one.Key}}}: no _sum");
                if (ordered[^1].Labels["le"] != "+Inf" || ordered[^1].Value != count.Value)
                {
                    throw new FormatException($"{family}{{{one.Key}}}: the +Inf bucket must exist and equal _count");
                }
            }
        }
    }
}
