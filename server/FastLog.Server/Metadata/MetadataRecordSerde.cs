using System.Buffers.Binary;
using System.Text;
using FastLog.Format;
using FastLog.Protocol;

namespace FastLog.Server.Metadata;

/// <summary>
/// Encodes metadata records the way KRaft frames them: unsigned varints frame version (1), record
/// api key and record version, then the record in the flexible encoding (compact strings and
/// arrays, a tagged-field section, here always empty).
/// </summary>
public static class MetadataRecordSerde
{
    private const uint FrameVersion = 1;

    public static byte[] Serialize(MetadataRecord record)
    {
        var output = new Writer();
        output.UVarInt(FrameVersion);
        output.UVarInt((uint)record.RecordApiKey);
        output.UVarInt(0);
        switch (record)
        {
            case TopicRecord topic:
                output.CompactString(topic.Name);
                output.Uuid(topic.TopicId);
                break;
            case PartitionRecord partition:
                output.Int32(partition.PartitionId);
                output.Uuid(partition.TopicId);
                output.Int32Array(partition.Replicas);
                output.Int32Array(partition.Isr);
                output.Int32Array([]);
                output.Int32Array([]);
                output.Int32(partition.Leader);
                output.Int32(partition.LeaderEpoch);
                output.Int32(partition.PartitionEpoch);
                break;
            case ConfigRecord config:
                output.Int8(config.ResourceType);
                output.CompactString(config.ResourceName);
                output.CompactString(config.Name);
                output.CompactString(config.Value);
                break;
            case RemoveTopicRecord remove:
                output.Uuid(remove.TopicId);
                break;
            case ProducerIdsRecord ids:
                output.Int32(ids.BrokerId);
                output.Int64(ids.BrokerEpoch);
                output.Int64(ids.NextProducerId);
                break;
            default:
                throw new ArgumentException($"no encoding for {record.GetType().Name}", nameof(record));
        }

        output.UVarInt(0);
        return output.ToArray();
    }

    /// <summary>Decodes one record value; throws <see cref="InvalidDataException"/> for anything it does not know.</summary>
    public static MetadataRecord Deserialize(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new KafkaReader(bytes);
            uint frame = reader.ReadUnsignedVarInt();
            uint apiKey = reader.ReadUnsignedVarInt();
            reader.ReadUnsignedVarInt();
            if (frame != FrameVersion)
            {
                throw new InvalidDataException($"metadata record frame version {frame}");
            }

            MetadataRecord record = apiKey switch
            {
                2 => new TopicRecord(reader.ReadString(true), reader.ReadUuid()),
                3 => ReadPartition(ref reader),
                4 => new ConfigRecord(reader.ReadInt8(), reader.ReadString(true), reader.ReadString(true), reader.ReadNullableString(true)),
                9 => new RemoveTopicRecord(reader.ReadUuid()),
                15 => new ProducerIdsRecord(reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64()),
                _ => throw new InvalidDataException($"unknown metadata record type {apiKey}"),
            };
            SkipTags(ref reader);
            return record;
        }
        catch (ProtocolException e)
        {
            throw new InvalidDataException("malformed metadata record", e);
        }
    }

    private static PartitionRecord ReadPartition(ref KafkaReader reader)
    {
        int partitionId = reader.ReadInt32();
        Guid topicId = reader.ReadUuid();
        var replicas = ReadInt32Array(ref reader);
        var isr = ReadInt32Array(ref reader);
        ReadInt32Array(ref reader);
        ReadInt32Array(ref reader);
        int leader = reader.ReadInt32();
        int leaderEpoch = reader.ReadInt32();
        int partitionEpoch = reader.ReadInt32();
        return new PartitionRecord(partitionId, topicId, replicas, isr, leader, leaderEpoch, partitionEpoch);
    }

    private static int[] ReadInt32Array(ref KafkaReader reader)
    {
        int count = reader.ReadArrayCount(true, 4);
        var values = new int[Math.Max(0, count)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadInt32();
        }

        return values;
    }

    private static void SkipTags(ref KafkaReader reader)
    {
        int tags = reader.ReadTaggedFieldCount();
        for (int i = 0; i < tags; i++)
        {
            reader.ReadUnsignedVarInt();
            reader.Skip(reader.ReadTaggedFieldSize());
        }
    }

    /// <summary>A small growable big-endian writer for the flexible encoding.</summary>
    private sealed class Writer
    {
        private byte[] _buffer = new byte[128];
        private int _length;

        public void UVarInt(uint value)
        {
            Span<byte> scratch = stackalloc byte[5];
            int written = VarInt.WriteUnsignedVarInt(scratch, value);
            scratch[..written].CopyTo(Take(written));
        }

        public void Int8(sbyte value) => Take(1)[0] = (byte)value;

        public void Int32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(4), value);

        public void Int64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(8), value);

        public void Uuid(Guid value) => value.TryWriteBytes(Take(16), bigEndian: true, out _);

        public void CompactString(string? value)
        {
            if (value is null)
            {
                UVarInt(0);
                return;
            }

            int bytes = Encoding.UTF8.GetByteCount(value);
            UVarInt((uint)bytes + 1);
            Encoding.UTF8.GetBytes(value, Take(bytes));
        }

        public void Int32Array(IReadOnlyList<int> values)
        {
            UVarInt((uint)values.Count + 1);
            foreach (int value in values)
            {
                Int32(value);
            }
        }

        public byte[] ToArray() => _buffer[.._length];

        private Span<byte> Take(int count)
        {
            if (_length + count > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
            }

            var span = _buffer.AsSpan(_length, count);
            _length += count;
            return span;
        }
    }
}
