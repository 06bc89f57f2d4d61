using System.Collections.Immutable;

namespace FastLog.Server.Metadata;

/// <summary>One topic in the metadata image: its id, partitions (index = partition id) and config overrides.</summary>
public sealed record TopicImage(string Name, Guid TopicId, ImmutableArray<PartitionImage> Partitions, ImmutableDictionary<string, string> Configs)
{
    /// <summary>Internal topics (names starting with "__") are hidden from nothing but flagged in Metadata.</summary>
    public bool IsInternal => Name.StartsWith("__", StringComparison.Ordinal);
}
