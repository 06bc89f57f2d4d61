namespace FastLog.Cli.Output;

/// <summary>
/// A plain-text table as kafka-topics and rpk print them: upper-case headers, columns left-aligned and separated by
/// two spaces, no trailing blanks, so the output reads well and still splits on whitespace in scripts.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private const string Gap = "  ";

    private readonly List<string[]> _rows = [];

    public int RowCount => _rows.Count;

    public void Add(params object?[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {headers.Length} columns.", nameof(cells));
        }

        _rows.Add([.. cells.Select(c => c switch
        {
            null => "-",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => c.ToString() ?? "-",
        })]);
    }

    public async Task WriteAsync(TextWriter output)
    {
        int[] widths = [.. headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length)))];
        await WriteRowAsync(output, headers, widths).ConfigureAwait(false);
        foreach (string[] row in _rows)
        {
            await WriteRowAsync(output, row, widths).ConfigureAwait(false);
        }
    }

    private static Task WriteRowAsync(TextWriter output, string[] cells, int[] widths)
    {
        string line = string.Join(Gap, cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
        return output.WriteLineAsync(line.TrimEnd());
    }
}
