using System.Globalization;

namespace FastLog.Engine.Log;

/// <summary>
/// A topic name and partition number. Its directory name is Kafka's <c>&lt;topic&gt;-&lt;partition&gt;</c>;
/// topic names may contain '-', so parsing splits at the last one.
/// </summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public string DirectoryName => string.Create(CultureInfo.InvariantCulture, $"{Topic}-{Partition}");

    public override string ToString() => DirectoryName;

    /// <summary>Parses a partition directory name; false for anything else (e.g. stray files or deleted dirs).</summary>
    public static bool TryParseDirectoryName(string name, out TopicPartition topicPartition)
    {
        topicPartition = default;
        int dash = name.LastIndexOf('-');
        if (dash <= 0 || dash == name.Length - 1)
        {
            return false;
        }

        if (!int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
        {
            return false;
        }

        topicPartition = new TopicPartition(name[..dash], partition);
        return true;
    }
}
