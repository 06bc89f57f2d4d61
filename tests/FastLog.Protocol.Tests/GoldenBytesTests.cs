using System.Buffers;
using FastLog.Protocol.Messages;

namespace FastLog.Protocol.Tests;

/// <summary>
/// Known byte sequences: a captured librdkafka request and small frames built by hand from the wire
/// rules. Each is parsed field by field and re-encoded to the identical bytes.
/// </summary>
public sealed class GoldenBytesTests
{
    // librdkafka 2.0.2's first request (kcat 1.7.1): ApiVersions v3, request header v2.
    private const string LibrdkafkaApiVersionsV3 =
        "00 00 00 24  00 12 00 03 00 00 00 01  00 07 72 64 6b 61 66 6b 61  00 " +
        "0b 6c 69 62 72 64 6b 61 66 6b 61  06 32 2e 30 2e 32  00";

    // The 74-byte record batch from the protocol notes (kafka-python 2.0.2, key k, value v, header h=1).
    private const string SampleBatch =
        "00 00 00 00 00 00 00 00 00 00 00 3e 00 00 00 00 02 67 5a 95 fd 00 00 00 00 00 00 " +
        "00 00 01 8b cf e5 68 00 00 00 01 8b cf e5 68 00 ff ff ff ff ff ff ff ff ff ff ff ff ff ff " +
        "00 00 00 01 18 00 00 00 02 6b 02 76 02 02 68 02 31";

    [Fact]
    public void Librdkafka_ApiVersions_v3_request_parses_exactly_and_re_encodes()
    {
        byte[] bytes = Codec.Hex(LibrdkafkaApiVersionsV3);
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(KafkaFrame.TryReadFrame(ref sequence, 1 << 20, out ReadOnlySequence<byte> frame));
        Assert.True(sequence.IsEmpty);
        Assert.Equal(36, frame.Length);

        var reader = new KafkaReader(frame.ToArray().AsMemory());
        RequestHeader header = RequestHeader.Read(ref reader);
        Assert.Equal(ApiKey.ApiVersions, header.ApiKey);
        Assert.Equal(3, header.ApiVersion);
        Assert.Equal(1, header.CorrelationId);
        Assert.Equal("rdkafka", header.ClientId);
        Assert.Equal(2, header.HeaderVersion);
        Assert.Null(header.UnknownTaggedFields);

        ApiVersionsRequest body = ApiVersionsRequest.Read(ref reader, header.ApiVersion);
        Assert.True(reader.IsAtEnd);
        Assert.Equal("librdkafka", body.ClientSoftwareName);
        Assert.Equal("2.0.2", body.ClientSoftwareVersion);
        Assert.Null(body.UnknownTaggedFields);

        var output = new ArrayBufferWriter<byte>();
        KafkaFrame.WriteRequest(output, new RequestHeader { ApiVersion = 3, CorrelationId = 1, ClientId = "rdkafka" }, body);
        Assert.Equal(bytes, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Kafka_python_Metadata_v0_with_empty_topics_means_all_topics_and_is_not_null()
    {
        byte[] bytes = Codec.Hex(
            "00 00 00 25  00 03 00 00 00 00 00 02  00 17" + Ascii("kafka-python-producer-1") + "00 00 00 00");
        var reader = new KafkaReader(bytes.AsMemory(4));
        RequestHeader header = RequestHeader.Read(ref reader);
        Assert.Equal(ApiKey.Metadata, header.ApiKey);
        Assert.Equal(1, header.HeaderVersion);
        Assert.Equal("kafka-python-producer-1", header.ClientId);
        var body = (MetadataRequest)KafkaApis.ReadRequest(header.ApiKey, header.ApiVersion, ref reader);
        Assert.True(reader.IsAtEnd);
        Assert.NotNull(body.Topics);
        Assert.Empty(body.Topics);

        var output = new ArrayBufferWriter<byte>();
        KafkaFrame.WriteRequest(output, header, body);
        Assert.Equal(bytes, output.WrittenSpan.ToArray());
    }

    [Theory]
    [InlineData(1, "ff ff ff ff", true)]
    [InlineData(1, "00 00 00 00", false)]
    // v9: compact topics (0 = null, 1 = empty), AllowAutoTopicCreation, IncludeClusterAuthorizedOperations,
    // IncludeTopicAuthorizedOperations, empty tagged section.
    [InlineData(9, "00 01 00 00 00", true)]
    [InlineData(9, "01 01 00 00 00", false)]
    public void Metadata_topics_null_versus_empty(short version, string hex, bool expectNull)
    {
        byte[] bytes = Codec.Hex(hex);
        var body = (MetadataRequest)Codec.Decode(ApiKey.Metadata, true, version, bytes);
        Assert.Equal(expectNull, body.Topics is null);
        Assert.Equal(bytes, Codec.Encode(body, version));
    }

    [Fact]
    public void Produce_v3_with_one_partition()
    {
        byte[] batch = Codec.Hex(SampleBatch);
        Assert.Equal(74, batch.Length);
        byte[] bytes = Codec.Hex(
            "ff ff" +                 // transactional id: null
            "ff ff" +                 // acks -1
            "00 00 75 30" +           // timeout 30000 ms
            "00 00 00 01 00 01 74" +  // one topic "t"
            "00 00 00 01 00 00 00 00" + // one partition, index 0
            "00 00 00 4a") .Concat(batch).ToArray();
        var body = (ProduceRequest)Codec.Decode(ApiKey.Produce, true, 3, bytes);
        Assert.Null(body.TransactionalId);
        Assert.Equal(-1, body.Acks);
        Assert.Equal(30000, body.TimeoutMs);
        ProduceRequest.TopicProduceData topic = Assert.Single(body.TopicData);
        Assert.Equal("t", topic.Name);
        ProduceRequest.PartitionProduceData partition = Assert.Single(topic.PartitionData);
        Assert.Equal(0, partition.Index);
        Assert.Equal(batch, partition.Records.Bytes.ToArray());

        // Reading from memory aliases the frame: the broker can stamp offsets in place without a copy.
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(partition.Records.Bytes, out ArraySegment<byte> segment));
        Assert.Same(bytes, segment.Array);
        Assert.Equal(bytes, Codec.Encode(body, 3));
    }

    [Fact]
    public void ApiVersions_v3_response_uses_header_v0_and_compact_body()
    {
        var response = new ApiVersionsResponse
        {
            ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 4 }],
        };
        var output = new ArrayBufferWriter<byte>();
        KafkaFrame.WriteResponse(output, correlationId: 1, apiVersion: 3, response);
        byte[] expected = Codec.Hex(
            "00 00 00 13" +       // size 19
            "00 00 00 01" +       // header v0: correlation id only, no tagged section
            "00 00" +             // error code
            "02 00 12 00 00 00 04 00" + // compact array of 1: key 18, 0..4, tagged 0
            "00 00 00 00" +       // throttle time
            "00");                // body tagged fields
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Fetch_v4_response_with_null_records_and_no_aborted_transactions()
    {
        var response = new FetchResponse
        {
            Responses =
            [
                new FetchResponse.FetchableTopicResponse
                {
                    Topic = "t",
                    Partitions = [new FetchResponse.PartitionData { PartitionIndex = 2, HighWatermark = 5, LastStableOffset = 5, AbortedTransactions = null }],
                },
            ],
        };
        byte[] expected = Codec.Hex(
            "00 00 00 00" +                  // throttle
            "00 00 00 01 00 01 74" +         // one topic "t"
            "00 00 00 01 00 00 00 02 00 00" + // one partition, index 2, error 0
            "00 00 00 00 00 00 00 05" +      // high watermark
            "00 00 00 00 00 00 00 05" +      // last stable offset
            "ff ff ff ff" +                  // aborted transactions: null
            "ff ff ff ff");                  // records: null
        Assert.Equal(expected, Codec.Encode(response, 4));
        var decoded = (FetchResponse)Codec.Decode(ApiKey.Fetch, false, 4, expected);
        Assert.True(decoded.Responses[0].Partitions[0].Records.IsNull);
    }

    private static string Ascii(string text) => Convert.ToHexString(System.Text.Encoding.ASCII.GetBytes(text));
}
