using System.Globalization;

namespace FastLog.Client.Configuration;

/// <summary>
/// Reads Kafka-style client properties (<c>bootstrap.servers</c>, <c>linger.ms</c>, ...) into typed options.
/// Each key is taken at most once; <see cref="ThrowIfUnused"/> then names every key nobody took, so a misspelt
/// key is an error instead of a silently ignored setting (the Java client only warns, which hides typos).
/// </summary>
public sealed class KafkaConfigReader
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>Creates a reader over <paramref name="properties"/>; a key given twice keeps its last value.</summary>
    /// <exception cref="ArgumentException">A key is null, empty or only whitespace.</exception>
    public KafkaConfigReader(IEnumerable<KeyValuePair<string, string>> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        foreach ((string key, string value) in properties)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new ArgumentException("A client property has an empty key.", nameof(properties));
            }

            _values[key.Trim()] = value?.Trim() ?? string.Empty;
        }
    }

    /// <summary>The raw value of <paramref name="key"/>, marking it used; null when absent.</summary>
    public string? String(string key)
    {
        _taken.Add(key);
        return _values.TryGetValue(key, out string? value) ? value : null;
    }

    /// <summary>An integer property.</summary>
    /// <exception cref="ArgumentException">The value is not an integer in [<paramref name="min"/>, <paramref name="max"/>].</exception>
    public int? Int32(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        long? value = Int64(key, min, max);
        return value is null ? null : (int)value.Value;
    }

    /// <summary>A 64-bit integer property.</summary>
    /// <exception cref="ArgumentException">The value is not an integer in [<paramref name="min"/>, <paramref name="max"/>].</exception>
    public long? Int64(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        string? raw = String(key);
        if (raw is null)
        {
            return null;
        }

        if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            throw new ArgumentException($"Client property {key}={raw} must be an integer between {min} and {max}.", key);
        }

        return value;
    }

    /// <summary>A duration given in milliseconds (keys ending in <c>.ms</c>).</summary>
    /// <exception cref="ArgumentException">The value is not a non-negative integer.</exception>
    public TimeSpan? Milliseconds(string key)
    {
        long? ms = Int64(key, 0, long.MaxValue / TimeSpan.TicksPerMillisecond);
        return ms is null ? null : TimeSpan.FromMilliseconds(ms.Value);
    }

    /// <summary>A boolean property (<c>true</c>/<c>false</c>, any case).</summary>
    /// <exception cref="ArgumentException">The value is neither.</exception>
    public bool? Boolean(string key)
    {
        string? raw = String(key);
        if (raw is null)
        {
            return null;
        }

        return bool.TryParse(raw, out bool value)
            ? value
            : throw new ArgumentException($"Client property {key}={raw} must be true or false.", key);
    }

    /// <summary>A property with a fixed set of values, matched ignoring case.</summary>
    /// <exception cref="ArgumentException">The value is not one of <paramref name="choices"/>.</exception>
    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(choices);
        string? raw = String(key);
        if (raw is null)
        {
            return null;
        }

        foreach ((string name, T value) in choices)
        {
            if (string.Equals(name, raw, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new ArgumentException($"Client property {key}={raw} must be one of: {string.Join(", ", choices.Keys)}.", key);
    }

    /// <summary>Throws when a property was given that no option took.</summary>
    /// <exception cref="ArgumentException">Names the unknown keys.</exception>
    public void ThrowIfUnused()
    {
        List<string> unknown = [.. _values.Keys.Where(k => !_taken.Contains(k)).Order(StringComparer.Ordinal)];
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown client propert{(unknown.Count == 1 ? "y" : "ies")}: {string.Join(", ", unknown)}.");
        }
    }
}
