using FastLog.Protocol.Messages;

namespace FastLog.Protocol.Tests;

/// <summary>Header version per (api, version), including the ApiVersions response exception.</summary>
public sealed class HeaderVersionTests
{
    [Theory]
    [InlineData(ApiKey.ApiVersions, 0, 1, 0)]
    [InlineData(ApiKey.ApiVersions, 2, 1, 0)]
    [InlineData(ApiKey.ApiVersions, 3, 2, 0)] // flexible body, but the response header stays v0
    [InlineData(ApiKey.ApiVersions, 4, 2, 0)]
    [InlineData(ApiKey.ApiVersions, 9, 2, 0)] // above our max: still parsed as flexible, answered with v0
    [InlineData(ApiKey.Metadata, 8, 1, 0)]
    [InlineData(ApiKey.Metadata, 9, 2, 1)]
    [InlineData(ApiKey.Produce, 8, 1, 0)]
    [InlineData(ApiKey.Produce, 9, 2, 1)]
    [InlineData(ApiKey.Fetch, 11, 1, 0)]
    [InlineData(ApiKey.Fetch, 12, 2, 1)]
    [InlineData(ApiKey.InitProducerId, 2, 2, 1)]
    [InlineData(ApiKey.DescribeCluster, 0, 2, 1)]
    [InlineData(ApiKey.OffsetDelete, 0, 1, 0)]
    [InlineData(ApiKey.SaslHandshake, 1, 1, 0)] // no codec: treated as non-flexible
    public void Header_versions(ApiKey api, short version, short requestHeader, short responseHeader)
    {
        Assert.Equal(requestHeader, ApiHeaderVersions.Request(api, version));
        Assert.Equal(responseHeader, ApiHeaderVersions.Response(api, version));
    }

    [Fact]
    public void Version_table_matches_each_codec_and_flexible_threshold_matches_header_rule()
    {
        Assert.True(ApiVersionTable.TryGet(ApiKey.Produce, out ApiVersionRange produce));
        Assert.Equal(new ApiVersionRange(ApiKey.Produce, 0, 11, 9), produce);
        Assert.Equal(ProduceRequest.HighestSupportedVersion, produce.MaxVersion);
        Assert.Equal(FetchRequest.LowestSupportedVersion, ApiVersionTable.All.Single(r => r.ApiKey == ApiKey.Fetch).MinVersion);
        Assert.Equal(-1, OffsetDeleteRequest.FirstFlexibleVersion);
        Assert.False(ApiVersionTable.TryGet(ApiKey.SaslHandshake, out _));
        Assert.False(ApiVersionTable.TryGet((ApiKey)999, out _));
        Assert.True(ApiVersionTable.IsSupported(ApiKey.OffsetCommit, 2));
        Assert.False(ApiVersionTable.IsSupported(ApiKey.OffsetCommit, 1));
    }

    [Fact]
    public void Request_header_v2_keeps_unknown_tagged_fields_and_int16_client_id()
    {
        byte[] bytes = Codec.Hex("00 03 00 09 00 00 00 07  00 02 63 31  01 05 02 aa bb");
        var reader = new KafkaReader(bytes);
        RequestHeader header = RequestHeader.Read(ref reader);
        Assert.True(reader.IsAtEnd);
        Assert.Equal(2, header.HeaderVersion);
        Assert.Equal("c1", header.ClientId);
        TaggedField field = Assert.Single(header.UnknownTaggedFields!);
        Assert.Equal(5u, field.Tag);
        Assert.Equal(new byte[] { 0xaa, 0xbb }, field.Payload);

        var buffer = new byte[header.ComputeSize()];
        var writer = new KafkaWriter(buffer);
        header.Write(ref writer);
        Assert.Equal(bytes, buffer);
    }

    [Fact]
    public void Response_header_v1_has_a_tagged_section()
    {
        var header = new ResponseHeader { CorrelationId = 42, HeaderVersion = 1 };
        var buffer = new byte[header.ComputeSize()];
        var writer = new KafkaWriter(buffer);
        header.Write(ref writer);
        Assert.Equal(Codec.Hex("00 00 00 2a 00"), buffer);
        var reader = new KafkaReader(buffer);
        Assert.Equal(42, ResponseHeader.Read(ref reader, 1).CorrelationId);
    }

    [Fact]
    public void Null_client_id_is_int16_minus_one()
    {
        byte[] bytes = Codec.Hex("00 12 00 00 00 00 00 01 ff ff");
        var reader = new KafkaReader(bytes);
        RequestHeader header = RequestHeader.Read(ref reader);
        Assert.Null(header.ClientId);
        Assert.Equal(1, header.HeaderVersion);
    }
}
