using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace FastLog.Server.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: per metric family a <c># HELP</c> and
/// a <c># TYPE</c> line, then its samples, each <c>name{label="value",...} value</c>.
/// </summary>
/// <remarks>
/// Scrape-time only, so it favours plainness over speed: one <see cref="StringBuilder"/> per scrape.
/// Escaping follows the format: in HELP text a backslash and a line feed are escaped; in label
/// values also the double quote. Families must be written whole (all samples right after their
/// TYPE line): callers begin a family, write its samples, and move on.
/// </remarks>
internal sealed class PrometheusTextWriter
{
    /// <summary>The Content-Type a scraper expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(16 * 1024);

    /// <summary>Starts a family: <paramref name="type"/> is counter, gauge or histogram.</summary>
    public void Family(string name, string type, string help)
    {
        Debug.Assert(IsValidName(name), $"invalid metric name {name}");
        _text.Append("# HELP ").Append(name).Append(' ');
        AppendEscaped(help, escapeQuote: false);
        _text.Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    public void Sample(string name, long value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        AppendNameAndLabels(name, labels, extraName: null, extraValue: null);
        _text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    public void Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        AppendNameAndLabels(name, labels, extraName: null, extraValue: null);
        _text.Append(' ').Append(FormatDouble(value)).Append('\n');
    }

    /// <summary>The <c>_bucket</c> (cumulative, with <c>le</c>), <c>_sum</c> and <c>_count</c> samples of one histogram series.</summary>
    public void Histogram(string name, HistogramSnapshot snapshot, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        string bucketName = name + "_bucket";
        var bounds = snapshot.Histogram.BoundLabels;
        long cumulative = 0;
        for (int i = 0; i < snapshot.BucketCounts.Length; i++)
        {
            cumulative += snapshot.BucketCounts[i];
            AppendNameAndLabels(bucketName, labels, "le", i < bounds.Count ? bounds[i] : "+Inf");
            _text.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        Sample(name + "_sum", snapshot.SumSeconds, labels);
        Sample(name + "_count", cumulative, labels);
    }

    public override string ToString() => _text.ToString();

    /// <summary>Prometheus' metric name rule: [a-zA-Z_:][a-zA-Z0-9_:]*.</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != ':')
            {
                return false;
            }
        }

        return true;
    }

    private static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private void AppendNameAndLabels(string name, ReadOnlySpan<(string Name, string Value)> labels, string? extraName, string? extraValue)
    {
        _text.Append(name);
        if (labels.Length == 0 && extraName is null)
        {
            return;
        }

        _text.Append('{');
        bool first = true;
        foreach (var (labelName, labelValue) in labels)
        {
            AppendLabel(labelName, labelValue, ref first);
        }

        if (extraName is not null)
        {
            AppendLabel(extraName, extraValue!, ref first);
        }

        _text.Append('}');
    }

    private void AppendLabel(string name, string value, ref bool first)
    {
        if (!first)
        {
            _text.Append(',');
        }

        first = false;
        _text.Append(name).Append("=\"");
        AppendEscaped(value, escapeQuote: true);
        _text.Append('"');
    }

    private void AppendEscaped(string text, bool escapeQuote)
    {
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                case '"' when escapeQuote:
                    _text.Append("\\\"");
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }
    }
}
