using System.Buffers;
using FastLog.Protocol.Messages;

namespace FastLog.Protocol.Tests;

/// <summary>
/// Fetch responses whose records are sent by the caller (sendfile): the writer emits only length prefixes
/// and slots; splicing the record bytes in at the slots must give exactly the all-inline encoding.
/// </summary>
public sealed class ExternalRecordsTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(11)]
    [InlineData(12)]
    public void Spliced_output_equals_the_inline_encoding(short version)
    {
        byte[] first = [1, 2, 3, 4, 5];
        byte[] second = new byte[300]; // long enough for a 2-byte compact length prefix
        second.AsSpan().Fill(7);
        var inline = BuildResponse(KafkaRecords.FromBytes(first), KafkaRecords.FromBytes(second));
        var external = BuildResponse(KafkaRecords.External(first.Length, "segment-a"), KafkaRecords.External(second.Length, "segment-b"));

        var expected = new ArrayBufferWriter<byte>();
        KafkaFrame.WriteResponse(expected, correlationId: 9, version, inline);

        var output = new ArrayBufferWriter<byte>();
        var slots = new List<ExternalRecordsSlot>();
        int written = KafkaFrame.WriteResponse(output, correlationId: 9, version, external, slots);
        Assert.Equal(expected.WrittenCount - first.Length - second.Length, written);
        Assert.Equal(2, slots.Count);
        Assert.Equal("segment-a", slots[0].Records.ExternalSource);

        // What a sender would do: bytes up to each slot, then that slot's file bytes.
        var spliced = new List<byte>();
        int cursor = 0;
        foreach (ExternalRecordsSlot slot in slots)
        {
            spliced.AddRange(output.WrittenSpan[cursor..slot.OutputOffset].ToArray());
            spliced.AddRange(ReferenceEquals(slot.Records.ExternalSource, "segment-a") ? first : second);
            cursor = slot.OutputOffset;
        }

        spliced.AddRange(output.WrittenSpan[cursor..].ToArray());
        Assert.Equal(expected.WrittenSpan.ToArray(), spliced.ToArray());
    }

    [Fact]
    public void Size_counts_external_bytes_separately()
    {
        var response = BuildResponse(KafkaRecords.External(1000, null), KafkaRecords.Null);
        var size = default(MessageSize);
        response.AddSize(ref size, 12);
        Assert.Equal(1000, size.ExternalBytes);
        Assert.Equal(size.TotalBytes - 1000, size.InlineBytes);
        Assert.Equal(size.TotalBytes, response.ComputeSize(12));
    }

    [Fact]
    public void Writing_external_records_without_a_slot_list_is_refused()
    {
        var response = BuildResponse(KafkaRecords.External(10, null), KafkaRecords.Null);
        Assert.Throws<InvalidOperationException>(() => Codec.Encode(response, 12));
    }

    private static FetchResponse BuildResponse(KafkaRecords first, KafkaRecords second) => new()
    {
        Responses =
        [
            new FetchResponse.FetchableTopicResponse
            {
                Topic = "orders",
                Partitions =
                [
                    new FetchResponse.PartitionData { PartitionIndex = 0, HighWatermark = 10, Records = first },
                    new FetchResponse.PartitionData { PartitionIndex = 1, HighWatermark = 20, Records = second },
                ],
            },
        ],
    };
}
