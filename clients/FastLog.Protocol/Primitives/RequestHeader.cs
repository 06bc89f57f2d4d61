namespace FastLog.Protocol;

/// <summary>
/// Request header, versions 0-2:
/// <code>
/// v0: RequestApiKey int16, RequestApiVersion int16, CorrelationId int32
/// v1: v0 + ClientId nullable string (always the int16-length encoding, even in v2)
/// v2: v1 + tagged-field section
/// </code>
/// v0 is only used by ControlledShutdown v0, which no client sends; <see cref="Read"/> picks v1 or v2 from
/// <see cref="ApiHeaderVersions"/>.
/// </summary>
public sealed class RequestHeader
{
    public ApiKey ApiKey { get; set; }

    public short ApiVersion { get; set; }

    public int CorrelationId { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The header version this header was read with (or will be written with, see <see cref="HeaderVersion"/>).</summary>
    public short HeaderVersion { get; set; } = 1;

    /// <summary>Unknown header tagged fields (v2), kept for re-writing.</summary>
    public List<TaggedField>? UnknownTaggedFields { get; set; }

    /// <summary>Reads a header, choosing its version from the API key and version it starts with.</summary>
    public static RequestHeader Read(ref KafkaReader reader)
    {
        var apiKey = (ApiKey)reader.ReadInt16();
        short apiVersion = reader.ReadInt16();
        return ReadRest(ref reader, apiKey, apiVersion, ApiHeaderVersions.Request(apiKey, apiVersion));
    }

    /// <summary>Reads a header whose version the caller already knows (0, 1 or 2).</summary>
    public static RequestHeader Read(ref KafkaReader reader, short headerVersion)
    {
        var apiKey = (ApiKey)reader.ReadInt16();
        short apiVersion = reader.ReadInt16();
        return ReadRest(ref reader, apiKey, apiVersion, headerVersion);
    }

    public int ComputeSize()
    {
        int size = 2 + 2 + 4;
        if (HeaderVersion >= 1)
        {
            size += KafkaSize.OfNullableString(ClientId, flexible: false);
        }

        if (HeaderVersion >= 2)
        {
            var tagged = default(MessageSize);
            TaggedFields.AddUnknownSize(ref tagged, UnknownTaggedFields);
            size += UnsignedVarInt.SizeOf((uint)(UnknownTaggedFields?.Count ?? 0)) + tagged.TotalBytes;
        }

        return size;
    }

    public void Write(ref KafkaWriter writer)
    {
        writer.WriteInt16((short)ApiKey);
        writer.WriteInt16(ApiVersion);
        writer.WriteInt32(CorrelationId);
        if (HeaderVersion >= 1)
        {
            writer.WriteNullableString(ClientId, flexible: false);
        }

        if (HeaderVersion >= 2)
        {
            writer.WriteUnsignedVarInt((uint)(UnknownTaggedFields?.Count ?? 0));
            int index = 0;
            TaggedFields.WriteUnknownBelow(ref writer, UnknownTaggedFields, ulong.MaxValue, ref index);
        }
    }

    private static RequestHeader ReadRest(ref KafkaReader reader, ApiKey apiKey, short apiVersion, short headerVersion)
    {
        var header = new RequestHeader
        {
            ApiKey = apiKey,
            ApiVersion = apiVersion,
            CorrelationId = reader.ReadInt32(),
            HeaderVersion = headerVersion,
        };
        if (headerVersion >= 1)
        {
            header.ClientId = reader.ReadNullableString(flexible: false);
        }

        if (headerVersion >= 2)
        {
            header.UnknownTaggedFields = ReadTaggedSection(ref reader);
        }

        return header;
    }

    /// <summary>Header tagged sections define no known tags; everything is kept as unknown.</summary>
    internal static List<TaggedField>? ReadTaggedSection(ref KafkaReader reader)
    {
        List<TaggedField>? unknown = null;
        int count = reader.ReadTaggedFieldCount();
        long previousTag = -1;
        for (int i = 0; i < count; i++)
        {
            uint tag = reader.ReadUnsignedVarInt();
            TaggedFields.CheckOrder(ref previousTag, tag);
            KafkaReader slice = reader.ReadSlice(reader.ReadTaggedFieldSize());
            TaggedFields.AddUnknown(ref unknown, tag, ref slice);
        }

        return unknown;
    }
}
