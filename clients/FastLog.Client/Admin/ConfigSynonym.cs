namespace FastLog.Client.Admin;

/// <summary>One place a config's value could come from (DescribeConfigs with synonyms), in precedence order.</summary>
/// <param name="Name">The setting's name there (a broker setting may be named differently, e.g. <c>log.retention.ms</c>).</param>
/// <param name="Value">Its value there; null when sensitive or unset.</param>
/// <param name="Source">Which level it is.</param>
public sealed record ConfigSynonym(string Name, string? Value, ConfigSource Source);
