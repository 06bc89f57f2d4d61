using System.Globalization;
using FastLog.Server.Configuration;

namespace FastLog.Server.Broker;

/// <summary>
/// Kafka's <c>meta.properties</c> in every log directory: the cluster id and node id the data belongs
/// to. Written on first start; a later start with another node id, or directories of different
/// clusters, is refused rather than mixing data.
/// </summary>
internal static class MetaProperties
{
    public const string FileName = "meta.properties";

    /// <summary>Returns the cluster id, creating the files where missing.</summary>
    public static string Ensure(IReadOnlyList<string> logDirs, int nodeId, string? configuredClusterId)
    {
        string? clusterId = configuredClusterId;
        foreach (string dir in logDirs)
        {
            string path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                continue;
            }

            var values = PropertiesFile.Parse(File.ReadAllText(path), path).ToDictionary(p => p.Key, p => p.Value);
            if (values.TryGetValue("node.id", out string? storedNode) && storedNode != nodeId.ToString(CultureInfo.InvariantCulture))
            {
                throw new BrokerConfigException($"{path} belongs to node.id {storedNode}, but this broker is node.id {nodeId}");
            }

            if (values.TryGetValue("cluster.id", out string? stored))
            {
                if (clusterId is not null && clusterId != stored)
                {
                    throw new BrokerConfigException($"{path} belongs to cluster {stored}, not {clusterId}");
                }

                clusterId = stored;
            }
        }

        // Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding.
        clusterId ??= Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        foreach (string dir in logDirs)
        {
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                File.WriteAllText(path, $"#FastLog broker metadata\nversion=1\ncluster.id={clusterId}\nnode.id={nodeId}\n");
            }
        }

        return clusterId;
    }
}
