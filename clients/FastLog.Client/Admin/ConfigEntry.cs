namespace FastLog.Client.Admin;

/// <summary>One config of a topic or broker, as DescribeConfigs reports it.</summary>
/// <param name="Name">Config name.</param>
/// <param name="Value">Value in force; null when sensitive (passwords are never sent) or unset.</param>
/// <param name="Source">Where the value comes from.</param>
/// <param name="IsReadOnly">True when it cannot be altered at run time.</param>
/// <param name="IsSensitive">True for secrets, whose value is withheld.</param>
/// <param name="Synonyms">Where else the value could come from, in precedence order (only when asked for).</param>
public sealed record ConfigEntry(
    string Name,
    string? Value,
    ConfigSource Source,
    bool IsReadOnly,
    bool IsSensitive,
    IReadOnlyList<ConfigSynonym> Synonyms)
{
    /// <summary>True when the value is the built-in default.</summary>
    public bool IsDefault => Source == ConfigSource.DefaultConfig;
}
