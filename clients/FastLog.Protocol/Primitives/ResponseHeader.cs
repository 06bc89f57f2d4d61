namespace FastLog.Protocol;

/// <summary>
/// Response header, versions 0-1: <c>CorrelationId int32</c>, plus a tagged-field section in v1.
/// The version comes from <see cref="ApiHeaderVersions.Response"/> (ApiVersions is always v0).
/// </summary>
public sealed class ResponseHeader
{
    public int CorrelationId { get; set; }

    public short HeaderVersion { get; set; }

    public List<TaggedField>? UnknownTaggedFields { get; set; }

    public static ResponseHeader Read(ref KafkaReader reader, short headerVersion)
    {
        var header = new ResponseHeader { CorrelationId = reader.ReadInt32(), HeaderVersion = headerVersion };
        if (headerVersion >= 1)
        {
            header.UnknownTaggedFields = RequestHeader.ReadTaggedSection(ref reader);
        }

        return header;
    }

    public int ComputeSize()
    {
        if (HeaderVersion < 1)
        {
            return 4;
        }

        var tagged = default(MessageSize);
        TaggedFields.AddUnknownSize(ref tagged, UnknownTaggedFields);
        return 4 + UnsignedVarInt.SizeOf((uint)(UnknownTaggedFields?.Count ?? 0)) + tagged.TotalBytes;
    }

    public void Write(ref KafkaWriter writer)
    {
        writer.WriteInt32(CorrelationId);
        if (HeaderVersion >= 1)
        {
            writer.WriteUnsignedVarInt((uint)(UnknownTaggedFields?.Count ?? 0));
            int index = 0;
            TaggedFields.WriteUnknownBelow(ref writer, UnknownTaggedFields, ulong.MaxValue, ref index);
        }
    }
}
