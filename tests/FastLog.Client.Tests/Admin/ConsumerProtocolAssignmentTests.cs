using FastLog.Client.Admin;
using FastLog.Protocol;

namespace FastLog.Client.Tests.Admin;

public sealed class ConsumerProtocolAssignmentTests
{
    [Fact]
    public void Round_trips_partitions_grouped_by_topic_and_user_data()
    {
        TopicAndPartition[] partitions = [new("a", 0), new("b", 3), new("a", 2)];

        byte[] bytes = ConsumerProtocolAssignment.Encode(1, partitions, [9, 8]);
        ConsumerProtocolAssignment.Decoded decoded = ConsumerProtocolAssignment.Decode(bytes);

        Assert.Equal(1, decoded.Version);
        Assert.Equal([new("a", 0), new("a", 2), new("b", 3)], decoded.Partitions);
        Assert.Equal([9, 8], decoded.UserData);
    }

    [Fact]
    public void Reads_the_exact_wire_layout_including_null_user_data_and_fields_appended_by_later_versions()
    {
        byte[] bytes =
        [
            0, 3,                   // version 3
            0, 0, 0, 1,             // one topic
            0, 1, (byte)'t',        // "t"
            0, 0, 0, 2, 0, 0, 0, 4, 0, 0, 0, 5, // partitions [4, 5]
            0xFF, 0xFF, 0xFF, 0xFF, // null user data
            1, 2, 3,                // a field a later version might add
        ];

        ConsumerProtocolAssignment.Decoded decoded = ConsumerProtocolAssignment.Decode(bytes);

        Assert.Equal(3, decoded.Version);
        Assert.Equal([new("t", 4), new("t", 5)], decoded.Partitions);
        Assert.Null(decoded.UserData);
    }

    [Fact]
    public void Truncated_bytes_are_rejected()
    {
        byte[] bytes = ConsumerProtocolAssignment.Encode(0, [new("topic", 1)]);

        Assert.Throws<ProtocolException>(() => ConsumerProtocolAssignment.Decode(bytes.AsSpan(0, 9)));
        Assert.Throws<ProtocolException>(() => ConsumerProtocolAssignment.Decode([0xFF, 0xFF]));
    }
}
