using System.Globalization;
using System.Text;

namespace FastLog.Bench.Common;

/// <summary>
/// RFC 4180 CSV: a header row, then one row per result; fields holding a comma, quote or line break
/// are quoted. Numbers are written with the invariant culture so spreadsheets and scripts read them
/// alike everywhere.
/// </summary>
public sealed class CsvWriter
{
    private readonly StringBuilder _text = new();
    private readonly int _columns;

    public CsvWriter(params string[] header)
    {
        _columns = header.Length;
        AppendRow(header);
    }

    public void AppendRow(params object?[] fields)
    {
        if (fields.Length != _columns)
        {
            throw new ArgumentException($"a row of {fields.Length} fields under a header of {_columns}");
        }

        _text.AppendJoin(',', fields.Select(Field));
        _text.Append("\r\n");
    }

    public override string ToString() => _text.ToString();

    private static string Field(object? value)
    {
        string text = value switch
        {
            null => string.Empty,
            double d => double.IsFinite(d) ? d.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}
