using System.Globalization;

namespace FastLog.Server.Configuration;

/// <summary>
/// One known setting: its Kafka name, type, default and allowed range. Parsing and validation live
/// here so that the server.properties file, environment variables, --override, and (for topics)
/// CreateTopics/AlterConfigs all refuse a bad value with the same message.
/// </summary>
public sealed record ConfigDefinition(string Name, ConfigType Type, string? DefaultValue, string Documentation)
{
    public long Min { get; init; } = long.MinValue;

    public long Max { get; init; } = long.MaxValue;

    /// <summary>Allowed values for string and list settings (case-insensitive); null allows any.</summary>
    public IReadOnlyList<string>? ValidValues { get; init; }

    /// <summary>Returns null when <paramref name="value"/> is acceptable, else why not.</summary>
    public string? Validate(string value)
    {
        switch (Type)
        {
            case ConfigType.Boolean:
                return bool.TryParse(value, out _) ? null : "must be true or false";
            case ConfigType.Int:
            case ConfigType.Short:
            case ConfigType.Long:
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
                {
                    return "must be an integer";
                }

                long max = Type switch { ConfigType.Int => Math.Min(Max, int.MaxValue), ConfigType.Short => Math.Min(Max, short.MaxValue), _ => Max };
                return number < Min || number > max ? $"must be between {Min} and {max}" : null;
            case ConfigType.Double:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= Min && d <= Max ? null : $"must be a number between {Min} and {Max}";
            case ConfigType.List:
                if (ValidValues is null)
                {
                    return null;
                }

                foreach (string item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!ValidValues.Contains(item, StringComparer.OrdinalIgnoreCase))
                    {
                        return $"'{item}' is not one of {string.Join(", ", ValidValues)}";
                    }
                }

                return null;
            default:
                return ValidValues is null || ValidValues.Contains(value, StringComparer.OrdinalIgnoreCase) ? null : $"must be one of {string.Join(", ", ValidValues)}";
        }
    }
}
