using FastLog.Protocol.Messages;

namespace FastLog.Protocol.Tests;

/// <summary>Unknown tags are skipped by size, kept, and re-written in ascending order with known ones.</summary>
public sealed class TaggedFieldTests
{
    [Fact]
    public void Unknown_tag_in_a_request_body_is_kept_and_re_written()
    {
        byte[] bytes = Codec.Hex("02 61  02 62  01 07 03 01 02 03");
        var body = (ApiVersionsRequest)Codec.Decode(ApiKey.ApiVersions, true, 3, bytes);
        Assert.Equal("a", body.ClientSoftwareName);
        TaggedField field = Assert.Single(body.UnknownTaggedFields!);
        Assert.Equal(7u, field.Tag);
        Assert.Equal(bytes, Codec.Encode(body, 3));
    }

    [Fact]
    public void Unknown_tags_interleave_with_known_tags_in_ascending_order()
    {
        // ApiVersionsResponse v3: error 0, no api keys, throttle 0, then known tag 1 (FinalizedFeaturesEpoch)
        // followed by tags 4 and 9, which this codec does not know.
        byte[] bytes = Codec.Hex(
            "00 00  01  00 00 00 00" +
            "03" +
            "01 08 00 00 00 00 00 00 00 2a" + // tag 1: FinalizedFeaturesEpoch = 42
            "04 01 ee" +                      // tag 4: unknown
            "09 00");                         // tag 9: unknown, empty payload
        var body = (ApiVersionsResponse)Codec.Decode(ApiKey.ApiVersions, false, 3, bytes);
        Assert.Equal(42, body.FinalizedFeaturesEpoch);
        Assert.Equal([4u, 9u], body.UnknownTaggedFields!.Select(f => f.Tag));
        Assert.Equal(bytes, Codec.Encode(body, 3));

        // A known tag added later sorts in before the unknown ones.
        body.ZkMigrationReady = true;
        byte[] rewritten = Codec.Encode(body, 3);
        Assert.Equal(Codec.Hex("00 00 01 00 00 00 00 04 01 08 00 00 00 00 00 00 00 2a 03 01 01 04 01 ee 09 00"), rewritten);
    }

    [Fact]
    public void Nested_struct_tagged_sections_skip_unknown_tags()
    {
        // FetchRequest v12 topic partition with an unknown tag 9 in its own tagged section.
        var request = new FetchRequest
        {
            Topics = [new FetchRequest.FetchTopic { Topic = "t", Partitions = [new FetchRequest.FetchPartition { Partition = 1 }] }],
        };
        request.Topics[0].Partitions[0].UnknownTaggedFields = [new TaggedField(9, [1, 2])];
        byte[] bytes = Codec.Encode(request, 12);
        var decoded = (FetchRequest)Codec.Decode(ApiKey.Fetch, true, 12, bytes);
        Assert.Equal(9u, Assert.Single(decoded.Topics[0].Partitions[0].UnknownTaggedFields!).Tag);
        Assert.Equal(bytes, Codec.Encode(decoded, 12));
    }

    [Fact]
    public void Default_valued_tagged_fields_are_not_written()
    {
        var response = new ApiVersionsResponse { FinalizedFeaturesEpoch = -1, ZkMigrationReady = false };
        Assert.Equal(Codec.Hex("00 00 01 00 00 00 00 00"), Codec.Encode(response, 3));
    }
}
