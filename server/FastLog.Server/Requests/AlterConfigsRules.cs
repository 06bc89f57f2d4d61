using System.Globalization;

namespace FastLog.Server.Requests;

/// <summary>The checks AlterConfigs and IncrementalAlterConfigs share, with Kafka's messages.</summary>
internal static class AlterConfigsRules
{
    public const string DuplicateResource = "Each resource must appear at most once.";

    public const string DuplicateKeys = "Error due to duplicate config keys";

    /// <summary>The (type, name) pairs named more than once in one request; Kafka refuses each of them.</summary>
    public static HashSet<(sbyte Type, string Name)> Duplicates(IEnumerable<(sbyte Type, string Name)> resources) =>
        resources.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();

    public static bool HasDuplicateKeys(IEnumerable<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return !names.All(seen.Add);
    }

    /// <summary>
    /// Why a change to a BROKER resource is refused; null when there is nothing to change. FastLog has
    /// no dynamic broker configs: every broker setting is static, and Kafka refuses a change to a
    /// static setting with INVALID_REQUEST ("Cannot update these configs dynamically"), which is the
    /// answer here too. The name must be empty (cluster default) or this node's id, as in Kafka.
    /// </summary>
    public static string? BrokerChangeProblem(string resourceName, int nodeId, IReadOnlyCollection<string> configNames)
    {
        if (resourceName.Length > 0)
        {
            if (!int.TryParse(resourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id))
            {
                return $"Node id must be an integer, but it is: {resourceName}";
            }

            if (id != nodeId)
            {
                return $"Unexpected broker id, expected {nodeId}, but received {resourceName}";
            }
        }

        return configNames.Count == 0 ? null : $"Cannot update these configs dynamically: {string.Join(", ", configNames)} (FastLog broker configs are read-only; set them in server.properties and restart)";
    }
}
