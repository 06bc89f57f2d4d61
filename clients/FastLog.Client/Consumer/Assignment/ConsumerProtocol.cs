using System.Text;
using FastLog.Protocol;

namespace FastLog.Client.Consumer.Assignment;

/// <summary>
/// The byte formats of the classic "consumer" protocol, which every Kafka client reads and writes the same way so
/// that Java, librdkafka and FastLog members can share a group:
/// <code>
/// Subscription: int16 version | [string topic] | nullable bytes userData
///               | v1+: [string topic, [int32 partition]] ownedPartitions | v2+: int32 generationId | v3+: nullable string rackId
/// Assignment:   int16 version | [string topic, [int32 partition]] | nullable bytes userData
/// </code>
/// Non-flexible encoding (int16 string lengths, int32 array counts). We write version 3 (as Java does); reading
/// accepts any version and ignores trailing bytes, so newer members stay readable (Java does the same).
/// </summary>
internal static class ConsumerProtocol
{
    /// <summary>The version written; the highest defined.</summary>
    public const short Version = 3;

    /// <summary>The protocol type every "consumer" group member sends in JoinGroup.</summary>
    public const string ProtocolType = "consumer";

    public static byte[] WriteSubscription(ConsumerSubscription subscription)
    {
        var owned = GroupByTopic(subscription.OwnedPartitions);
        int size = 2 + 4;
        foreach (string topic in subscription.Topics)
        {
            size += StringSize(topic);
        }

        size += 4 + (subscription.UserData?.Length ?? 0);
        size += PartitionsSize(owned) + 4 + 2 + (subscription.RackId is null ? 0 : Encoding.UTF8.GetByteCount(subscription.RackId));
        byte[] bytes = new byte[size];
        var writer = new KafkaWriter(bytes);
        writer.WriteInt16(Version);
        writer.WriteInt32(subscription.Topics.Count);
        foreach (string topic in subscription.Topics)
        {
            writer.WriteString(topic, flexible: false);
        }

        writer.WriteNullableBytes(subscription.UserData, flexible: false);
        WritePartitions(ref writer, owned);
        writer.WriteInt32(subscription.Generation);
        writer.WriteNullableString(subscription.RackId, flexible: false);
        return bytes;
    }

    /// <exception cref="KafkaException">The bytes are not a subscription (<see cref="ErrorCode.InconsistentGroupProtocol"/>).</exception>
    public static ConsumerSubscription ReadSubscription(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new KafkaReader(bytes);
            short version = reader.ReadInt16();
            if (version < 0)
            {
                throw Malformed("subscription", $"negative version {version}");
            }

            int count = reader.ReadArrayCount(flexible: false, 2);
            var topics = new List<string>(Math.Max(count, 0));
            for (int i = 0; i < count; i++)
            {
                topics.Add(reader.ReadString(flexible: false));
            }

            byte[]? userData = reader.ReadNullableBytes(flexible: false);
            List<TopicPartition> owned = [];
            int generation = -1;
            string? rack = null;
            if (version >= 1 && !reader.IsAtEnd)
            {
                owned = ReadPartitions(ref reader);
            }

            if (version >= 2 && reader.RemainingBytes >= 4)
            {
                generation = reader.ReadInt32();
            }

            if (version >= 3 && reader.RemainingBytes >= 2)
            {
                rack = reader.ReadNullableString(flexible: false);
            }

            return new ConsumerSubscription(topics, userData, owned, generation, rack);
        }
        catch (ProtocolException e)
        {
            throw Malformed("subscription", e.Message, e);
        }
    }

    public static byte[] WriteAssignment(IReadOnlyList<TopicPartition> partitions, byte[]? userData = null)
    {
        var byTopic = GroupByTopic(partitions);
        byte[] bytes = new byte[2 + PartitionsSize(byTopic) + 4 + (userData?.Length ?? 0)];
        var writer = new KafkaWriter(bytes);
        writer.WriteInt16(Version);
        WritePartitions(ref writer, byTopic);
        writer.WriteNullableBytes(userData, flexible: false);
        return bytes;
    }

    /// <summary>The partitions of an assignment; empty bytes (a member the leader left out) are no partitions.</summary>
    /// <exception cref="KafkaException">The bytes are not an assignment (<see cref="ErrorCode.InconsistentGroupProtocol"/>).</exception>
    public static List<TopicPartition> ReadAssignment(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return [];
        }

        try
        {
            var reader = new KafkaReader(bytes);
            short version = reader.ReadInt16();
            if (version < 0)
            {
                throw Malformed("assignment", $"negative version {version}");
            }

            return ReadPartitions(ref reader);
        }
        catch (ProtocolException e)
        {
            throw Malformed("assignment", e.Message, e);
        }
    }

    private static List<(string Topic, List<int> Partitions)> GroupByTopic(IReadOnlyList<TopicPartition> partitions)
    {
        var result = new List<(string, List<int>)>();
        foreach (IGrouping<string, TopicPartition> topic in partitions.OrderBy(p => p).GroupBy(p => p.Topic, StringComparer.Ordinal))
        {
            result.Add((topic.Key, topic.Select(p => p.Partition).ToList()));
        }

        return result;
    }

    private static int PartitionsSize(List<(string Topic, List<int> Partitions)> byTopic)
    {
        int size = 4;
        foreach ((string topic, List<int> partitions) in byTopic)
        {
            size += StringSize(topic) + 4 + (4 * partitions.Count);
        }

        return size;
    }

    private static void WritePartitions(ref KafkaWriter writer, List<(string Topic, List<int> Partitions)> byTopic)
    {
        writer.WriteInt32(byTopic.Count);
        foreach ((string topic, List<int> partitions) in byTopic)
        {
            writer.WriteString(topic, flexible: false);
            writer.WriteInt32(partitions.Count);
            foreach (int partition in partitions)
            {
                writer.WriteInt32(partition);
            }
        }
    }

    private static List<TopicPartition> ReadPartitions(ref KafkaReader reader)
    {
        var result = new List<TopicPartition>();
        int topics = reader.ReadArrayCount(flexible: false, 6);
        for (int t = 0; t < topics; t++)
        {
            string topic = reader.ReadString(flexible: false);
            int partitions = reader.ReadArrayCount(flexible: false, 4);
            for (int p = 0; p < partitions; p++)
            {
                result.Add(new TopicPartition(topic, reader.ReadInt32()));
            }
        }

        return result;
    }

    private static int StringSize(string value) => 2 + Encoding.UTF8.GetByteCount(value);

    private static KafkaException Malformed(string what, string detail, Exception? inner = null) =>
        new(ErrorCode.InconsistentGroupProtocol, $"A member's consumer-protocol {what} is malformed: {detail}.", inner);
}
