using System.Globalization;
using System.Text;
using FastLog.Engine.Storage;

namespace FastLog.Engine.Log;

/// <summary>
/// Kafka's offset checkpoint file (recovery points, log start offsets, high watermarks): a version
/// line (0), a count line, then one <c>topic partition offset</c> line per partition.
/// Written crash-safely: a temporary file is written and fsynced, renamed over the old one, and the
/// directory fsynced, so a reader sees either the old or the new file, never a torn one.
/// </summary>
public static class OffsetCheckpointFile
{
    private const int CurrentVersion = 0;

    public static void Write(string path, IEnumerable<KeyValuePair<TopicPartition, long>> offsets)
    {
        var text = new StringBuilder();
        var entries = offsets.ToList();
        text.Append(CurrentVersion.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append(entries.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (topicPartition, offset) in entries)
        {
            text.Append(topicPartition.Topic).Append(' ')
                .Append(topicPartition.Partition.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(offset.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        FileSync.ReplaceDurably(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Reads the file; a missing file is empty. A malformed one throws <see cref="InvalidDataException"/> naming the line.</summary>
    public static Dictionary<TopicPartition, long> Read(string path)
    {
        var result = new Dictionary<TopicPartition, long>();
        if (!File.Exists(path))
        {
            return result;
        }

        string[] lines = File.ReadAllLines(path);
        if (lines.Length < 2 || lines[0].Trim() != "0" || !int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || lines.Length - 2 < count)
        {
            throw new InvalidDataException($"{path}: malformed checkpoint header");
        }

        for (int i = 0; i < count; i++)
        {
            string[] parts = lines[2 + i].Split(' ');
            if (parts.Length != 3 ||
                !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int partition) ||
                !long.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long offset))
            {
                throw new InvalidDataException($"{path}: malformed checkpoint line {i + 3}");
            }

            result[new TopicPartition(parts[0], partition)] = offset;
        }

        return result;
    }
}
