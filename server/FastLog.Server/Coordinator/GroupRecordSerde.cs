using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace FastLog.Server.Coordinator;

/// <summary>
/// Kafka's layout of the __consumer_offsets records, so the topic reads like Kafka's: every key and
/// value starts with a big-endian int16 schema version. Keys: offset commit (version 1: group, topic,
/// partition) and group metadata (version 2: group). Values written: OffsetCommitValue v3 (offset,
/// leader epoch, metadata, commit timestamp) and GroupMetadataValue v3 (protocol type, generation,
/// protocol, leader, state timestamp, members). Older value versions are read too. A null value is a
/// tombstone.
/// </summary>
internal static class GroupRecordSerde
{
    public const short OffsetKeyVersion = 1;
    public const short GroupKeyVersion = 2;
    private const short OffsetValueVersion = 3;
    private const short GroupValueVersion = 3;

    public static byte[] OffsetKey(string groupId, string topic, int partition)
    {
        var w = new Writer();
        w.Int16(OffsetKeyVersion);
        w.String(groupId);
        w.String(topic);
        w.Int32(partition);
        return w.ToArray();
    }

    public static byte[] GroupKey(string groupId)
    {
        var w = new Writer();
        w.Int16(GroupKeyVersion);
        w.String(groupId);
        return w.ToArray();
    }

    public static byte[] OffsetValue(CommittedOffset offset)
    {
        var w = new Writer();
        w.Int16(OffsetValueVersion);
        w.Int64(offset.Offset);
        w.Int32(offset.LeaderEpoch);
        w.String(offset.Metadata);
        w.Int64(offset.CommitTimestampMs);
        return w.ToArray();
    }

    public static byte[] GroupValue(StoredGroup group)
    {
        var w = new Writer();
        w.Int16(GroupValueVersion);
        w.String(group.ProtocolType);
        w.Int32(group.Generation);
        w.NullableString(group.ProtocolName);
        w.NullableString(group.LeaderId);
        w.Int64(group.StateTimestampMs);
        w.Int32(group.Members.Count);
        foreach (var m in group.Members)
        {
            w.String(m.MemberId);
            w.NullableString(m.GroupInstanceId);
            w.String(m.ClientId);
            w.String(m.ClientHost);
            w.Int32(m.RebalanceTimeoutMs);
            w.Int32(m.SessionTimeoutMs);
            w.Bytes(m.Subscription);
            w.Bytes(m.Assignment);
        }

        return w.ToArray();
    }

    /// <summary>Reads a key: either an offset key (topic set) or a group key (topic null). False for unknown key versions.</summary>
    public static bool TryReadKey(ReadOnlySpan<byte> key, out string groupId, out string? topic, out int partition)
    {
        var r = new Reader(key);
        short version = r.Int16();
        groupId = r.String();
        topic = null;
        partition = -1;
        switch (version)
        {
            case 0 or 1:
                topic = r.String();
                partition = r.Int32();
                return true;
            case 2:
                return true;
            default:
                return false;
        }
    }

    public static CommittedOffset ReadOffsetValue(ReadOnlySpan<byte> value, long sequence)
    {
        var r = new Reader(value);
        short version = r.Int16();
        long offset = r.Int64();
        int leaderEpoch = version >= 3 ? r.Int32() : -1;
        string metadata = r.String();
        long commitTimestamp = r.Int64();
        return new CommittedOffset(offset, leaderEpoch, metadata, commitTimestamp, sequence);
    }

    public static StoredGroup ReadGroupValue(ReadOnlySpan<byte> value)
    {
        var r = new Reader(value);
        short version = r.Int16();
        string protocolType = r.String();
        int generation = r.Int32();
        string? protocol = r.NullableString();
        string? leader = r.NullableString();
        long stateTimestamp = version >= 2 ? r.Int64() : -1;
        int count = r.Int32();
        var members = new List<StoredMember>(Math.Max(0, count));
        for (int i = 0; i < count; i++)
        {
            string memberId = r.String();
            string? instanceId = version >= 3 ? r.NullableString() : null;
            string clientId = r.String();
            string clientHost = r.String();
            int sessionTimeout = r.Int32();
            int rebalanceTimeout = sessionTimeout;
            if (version >= 1)
            {
                // v1+ writes the rebalance timeout first.
                rebalanceTimeout = sessionTimeout;
                sessionTimeout = r.Int32();
            }

            members.Add(new StoredMember(memberId, instanceId, clientId, clientHost, sessionTimeout, rebalanceTimeout, r.Bytes(), r.Bytes()));
        }

        return new StoredGroup(protocolType, generation, protocol, leader, stateTimestamp, members);
    }

    /// <summary>Big-endian writer over a growable buffer (records are small).</summary>
    private sealed class Writer
    {
        private readonly ArrayBufferWriter<byte> _stream = new(64);

        public void Int16(short v)
        {
            Span<byte> b = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(b, v);
            _stream.Write(b);
        }

        public void Int32(int v)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, v);
            _stream.Write(b);
        }

        public void Int64(long v)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, v);
            _stream.Write(b);
        }

        public void String(string v)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(v);
            Int16(checked((short)bytes.Length));
            _stream.Write(bytes);
        }

        public void NullableString(string? v)
        {
            if (v is null)
            {
                Int16(-1);
                return;
            }

            String(v);
        }

        public void Bytes(byte[] v)
        {
            Int32(v.Length);
            _stream.Write(v);
        }

        public byte[] ToArray() => _stream.WrittenSpan.ToArray();
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public short Int16()
        {
            short v = BinaryPrimitives.ReadInt16BigEndian(_bytes[_position..]);
            _position += 2;
            return v;
        }

        public int Int32()
        {
            int v = BinaryPrimitives.ReadInt32BigEndian(_bytes[_position..]);
            _position += 4;
            return v;
        }

        public long Int64()
        {
            long v = BinaryPrimitives.ReadInt64BigEndian(_bytes[_position..]);
            _position += 8;
            return v;
        }

        public string String() => NullableString() ?? string.Empty;

        public string? NullableString()
        {
            short length = Int16();
            if (length < 0)
            {
                return null;
            }

            string v = Encoding.UTF8.GetString(_bytes.Slice(_position, length));
            _position += length;
            return v;
        }

        public byte[] Bytes()
        {
            int length = Int32();
            if (length < 0)
            {
                return [];
            }

            byte[] v = _bytes.Slice(_position, length).ToArray();
            _position += length;
            return v;
        }
    }
}
