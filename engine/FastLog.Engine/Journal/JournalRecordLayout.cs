using System.Buffers.Binary;
using System.Text;
using FastLog.Engine.Log;
using FastLog.Format;

namespace FastLog.Engine.Journal;

/// <summary>
/// The byte layout of one commit-journal record (big-endian, like Kafka's):
/// <c>recordBytes:int32 | crc:uint32 | generation:int64 | partition:int32 | topicBytes:int16 | topic (UTF-8) | batch</c>.
/// </summary>
/// <remarks>
/// The CRC-32C covers everything after itself, so a torn, zeroed or stale record fails the check or
/// the generation comparison. The generation is the journal file's use: a recycled file still holds
/// older records past the newer ones, and those end the scan because their generation differs.
/// </remarks>
internal static class JournalRecordLayout
{
    public const int LengthOffset = 0;
    public const int CrcOffset = 4;
    public const int GenerationOffset = 8;
    public const int PartitionOffset = 16;
    public const int TopicLengthOffset = 20;
    public const int TopicOffset = 22;

    /// <summary>Kafka caps topic names at 249 characters; the journal refuses names whose UTF-8 exceeds this.</summary>
    public const int MaxTopicBytes = short.MaxValue;

    public static int HeaderBytes(string topic) => TopicOffset + Encoding.UTF8.GetByteCount(topic);

    /// <summary>Writes a whole record into <paramref name="destination"/>, which is exactly its size; the CRC last, over the rest.</summary>
    public static void Write(Span<byte> destination, long generation, TopicPartition topicPartition, ReadOnlySpan<byte> batch)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination[LengthOffset..], destination.Length);
        BinaryPrimitives.WriteInt64BigEndian(destination[GenerationOffset..], generation);
        BinaryPrimitives.WriteInt32BigEndian(destination[PartitionOffset..], topicPartition.Partition);
        int topicBytes = Encoding.UTF8.GetBytes(topicPartition.Topic, destination[TopicOffset..]);
        BinaryPrimitives.WriteInt16BigEndian(destination[TopicLengthOffset..], (short)topicBytes);
        batch.CopyTo(destination[(TopicOffset + topicBytes)..]);
        BinaryPrimitives.WriteUInt32BigEndian(destination[CrcOffset..], Crc32C.Compute(destination[GenerationOffset..]));
    }

    /// <summary>Reads the record size from its first bytes; false when they cannot start a record (too short, zero, or past <paramref name="limitBytes"/>).</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> header, long limitBytes, out int recordBytes)
    {
        recordBytes = BinaryPrimitives.ReadInt32BigEndian(header[LengthOffset..]);
        return recordBytes >= TopicOffset && recordBytes <= limitBytes;
    }

    /// <summary>Checks a whole record (CRC, topic length) and cuts it into its parts; false for anything damaged.</summary>
    public static bool TryParse(ReadOnlySpan<byte> record, out long generation, out TopicPartition topicPartition, out ReadOnlySpan<byte> batch)
    {
        generation = 0;
        topicPartition = default;
        batch = default;
        if (record.Length < TopicOffset || BinaryPrimitives.ReadInt32BigEndian(record[LengthOffset..]) != record.Length)
        {
            return false;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(record[CrcOffset..]) != Crc32C.Compute(record[GenerationOffset..]))
        {
            return false;
        }

        int topicBytes = BinaryPrimitives.ReadInt16BigEndian(record[TopicLengthOffset..]);
        if (topicBytes <= 0 || TopicOffset + topicBytes > record.Length)
        {
            return false;
        }

        generation = BinaryPrimitives.ReadInt64BigEndian(record[GenerationOffset..]);
        int partition = BinaryPrimitives.ReadInt32BigEndian(record[PartitionOffset..]);
        topicPartition = new TopicPartition(Encoding.UTF8.GetString(record.Slice(TopicOffset, topicBytes)), partition);
        batch = record[(TopicOffset + topicBytes)..];
        return true;
    }
}
