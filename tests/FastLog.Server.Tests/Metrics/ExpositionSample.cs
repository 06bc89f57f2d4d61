namespace FastLog.Server.Tests.Metrics;

/// <summary>One parsed sample line: metric name, labels, value, and the family its TYPE line named.</summary>
internal sealed record ExpositionSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Family { get; init; } = string.Empty;

    public bool HasExactly((string Name, string Value)[] labels) =>
        Labels.Count == labels.Length && labels.All(l => Labels.TryGetValue(l.Name, out string? value) && value == l.Value);
}
