using System.Buffers.Binary;
using System.Text;

namespace FastLog.Server.Coordinator;

/// <summary>
/// Reads the topic list of a consumer's ConsumerProtocolSubscription (int16 version, then an int32
/// count of int16-length strings in every version), which OffsetDelete needs to protect live offsets.
/// </summary>
internal static class ConsumerSubscription
{
    public static bool TryReadTopics(ReadOnlySpan<byte> metadata, HashSet<string> topics)
    {
        if (metadata.Length < 6)
        {
            return false;
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(metadata[2..]);
        int position = 6;
        if (count < 0 || count > metadata.Length)
        {
            return false;
        }

        for (int i = 0; i < count; i++)
        {
            if (position + 2 > metadata.Length)
            {
                return false;
            }

            short length = BinaryPrimitives.ReadInt16BigEndian(metadata[position..]);
            position += 2;
            if (length < 0 || position + length > metadata.Length)
            {
                return false;
            }

            topics.Add(Encoding.UTF8.GetString(metadata.Slice(position, length)));
            position += length;
        }

        return true;
    }
}
