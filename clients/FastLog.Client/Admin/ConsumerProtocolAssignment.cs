using FastLog.Protocol;

namespace FastLog.Client.Admin;

/// <summary>
/// The consumer protocol's assignment bytes (what a group leader hands each member in SyncGroup and DescribeGroups
/// echoes back): <c>version int16</c>, then <c>[topic string (int16 length), partitions int32 array]</c> as an int32
/// count, then <c>user_data bytes</c> (int32 length, -1 for null). Every version so far (0-3) has this layout and
/// none is flexible; later versions may append fields, so bytes after the user data are ignored rather than
/// rejected, as Kafka's own reader does.
/// </summary>
internal static class ConsumerProtocolAssignment
{
    /// <summary>A decoded assignment.</summary>
    /// <param name="Version">The version the leader wrote.</param>
    /// <param name="Partitions">Assigned partitions, in the order written.</param>
    /// <param name="UserData">The assignor's opaque user data, or null.</param>
    public sealed record Decoded(short Version, IReadOnlyList<TopicAndPartition> Partitions, byte[]? UserData);

    // Smallest encodings, for the reader's count sanity checks: a topic is a 2-byte name length plus a 4-byte
    // partition count; a partition is an int32.
    private const int MinTopicBytes = 6;
    private const int PartitionBytes = 4;

    /// <summary>Reads assignment bytes.</summary>
    /// <exception cref="ProtocolException">The bytes are truncated or malformed.</exception>
    public static Decoded Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new KafkaReader(bytes);
        short version = reader.ReadInt16();
        if (version < 0)
        {
            throw new ProtocolException($"Consumer protocol assignment version {version} is negative.");
        }

        var partitions = new List<TopicAndPartition>();
        int topics = reader.ReadArrayCount(flexible: false, MinTopicBytes);
        for (int t = 0; t < topics; t++)
        {
            string topic = reader.ReadString(flexible: false);
            int count = reader.ReadArrayCount(flexible: false, PartitionBytes);
            for (int p = 0; p < count; p++)
            {
                partitions.Add(new TopicAndPartition(topic, reader.ReadInt32()));
            }
        }

        // Version 0 may end right after the topics when the writer omitted empty user data.
        byte[]? userData = reader.IsAtEnd ? null : reader.ReadNullableBytes(flexible: false);
        return new Decoded(version, partitions, userData);
    }

    /// <summary>Writes assignment bytes: partitions grouped by topic in first-seen order.</summary>
    public static byte[] Encode(short version, IEnumerable<TopicAndPartition> partitions, byte[]? userData = null)
    {
        var byTopic = new List<(string Topic, List<int> Partitions)>();
        var index = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (TopicAndPartition tp in partitions)
        {
            if (!index.TryGetValue(tp.Topic, out List<int>? list))
            {
                list = [];
                index[tp.Topic] = list;
                byTopic.Add((tp.Topic, list));
            }

            list.Add(tp.Partition);
        }

        int size = 2 + KafkaSize.OfArrayCount(byTopic.Count, false) + KafkaSize.OfNullableBytes(userData, false);
        foreach ((string topic, List<int> list) in byTopic)
        {
            size += KafkaSize.OfString(topic, false) + KafkaSize.OfArrayCount(list.Count, false) + (PartitionBytes * list.Count);
        }

        byte[] buffer = new byte[size];
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(version);
        writer.WriteArrayCount(byTopic.Count, false);
        foreach ((string topic, List<int> list) in byTopic)
        {
            writer.WriteString(topic, false);
            writer.WriteArrayCount(list.Count, false);
            foreach (int p in list)
            {
                writer.WriteInt32(p);
            }
        }

        writer.WriteNullableBytes(userData, false);
        return buffer;
    }
}
