using System.Globalization;

namespace FastLog.Bench.Common;

/// <summary>
/// A cursor over command-line arguments for the hand-written option parsers of the bench programs:
/// each parser keeps its own switch over option names (the usage text is the documentation), this
/// reads the values and turns malformed ones into <see cref="ArgumentException"/> naming the option.
/// </summary>
public sealed class OptionReader(IReadOnlyList<string> args)
{
    private int _index = -1;

    public IReadOnlyList<string> Args { get; } = args;

    /// <summary>The option now being read.</summary>
    public string Current => Args[_index];

    /// <summary>Moves to the next argument; false at the end.</summary>
    public bool MoveNext() => ++_index < Args.Count;

    /// <summary>The value after the current option.</summary>
    public string Value()
    {
        if (_index + 1 >= Args.Count)
        {
            throw new ArgumentException($"{Current} needs a value");
        }

        return Args[++_index];
    }

    public int Int() => checked((int)Long());

    public long Long()
    {
        string option = Current;
        string text = Value().Replace("_", string.Empty, StringComparison.Ordinal);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new ArgumentException($"{option}: '{text}' is not a whole number");
    }

    public double Double()
    {
        string option = Current;
        string text = Value();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new ArgumentException($"{option}: '{text}' is not a number");
    }

    /// <summary>A comma-separated list after the current option, each item parsed by <paramref name="parse"/>.</summary>
    public List<T> List<T>(Func<string, T> parse)
    {
        string option = Current;
        var items = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
        {
            throw new ArgumentException($"{option} needs at least one value");
        }

        try
        {
            return items.Select(parse).ToList();
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{option}: {e.Message}", e);
        }
    }
}
