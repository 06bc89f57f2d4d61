namespace FastLog.Protocol;

/// <summary>
/// Helpers the generated codecs use for the part of a tagged-field section they do not understand:
/// unknown fields are kept on read and re-emitted on write, merged in ascending tag order with known ones.
/// </summary>
public static class TaggedFields
{
    public static void AddUnknownSize(ref MessageSize size, List<TaggedField>? unknown)
    {
        if (unknown is null)
        {
            return;
        }

        foreach (TaggedField field in unknown)
        {
            size.Add(UnsignedVarInt.SizeOf(field.Tag) + UnsignedVarInt.SizeOf((uint)field.Payload.Length) + field.Payload.Length);
        }
    }

    /// <summary>Writes unknown fields with tags below <paramref name="tagLimit"/>, advancing <paramref name="index"/>.</summary>
    public static void WriteUnknownBelow(ref KafkaWriter writer, List<TaggedField>? unknown, ulong tagLimit, ref int index)
    {
        if (unknown is null)
        {
            return;
        }

        while (index < unknown.Count && unknown[index].Tag < tagLimit)
        {
            TaggedField field = unknown[index];
            writer.WriteUnsignedVarInt(field.Tag);
            writer.WriteUnsignedVarInt((uint)field.Payload.Length);
            writer.WriteRawBytes(field.Payload);
            index++;
        }
    }

    /// <summary>Checks strict ascending order; <paramref name="previousTag"/> starts at -1.</summary>
    public static void CheckOrder(ref long previousTag, uint tag)
    {
        if (tag <= previousTag)
        {
            ProtocolThrow.TagsOutOfOrder((uint)previousTag, tag);
        }

        previousTag = tag;
    }

    /// <summary>Known tagged fields must consume exactly their declared size.</summary>
    public static void CheckConsumed(in KafkaReader slice, uint tag)
    {
        if (!slice.IsAtEnd)
        {
            ProtocolThrow.TaggedFieldSizeMismatch(tag, slice.RemainingBytes);
        }
    }

    public static void AddUnknown(ref List<TaggedField>? unknown, uint tag, ref KafkaReader slice)
    {
        unknown ??= [];
        unknown.Add(new TaggedField(tag, slice.ReadRemainingBytes()));
    }
}
