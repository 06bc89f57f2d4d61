using System.Buffers.Binary;
using FastLog.Format;

namespace FastLog.Engine.Tests.Support;

/// <summary>Builds RecordBatch v2 bytes for engine tests, with values that identify their batch.</summary>
public static class TestBatches
{
    /// <summary>
    /// A batch of <paramref name="recordCount"/> records whose values are <paramref name="valueBytes"/>
    /// long and start with the 8-byte big-endian <paramref name="tag"/> (so a test can tell batches apart).
    /// </summary>
    public static byte[] Create(int recordCount, int valueBytes, long timestampMs, long tag, CompressionCodec codec = CompressionCodec.None) =>
        Create(recordCount, valueBytes, timestampMs, tag, codec, producerId: -1, producerEpoch: -1, baseSequence: -1);

    /// <summary>An idempotent producer's batch: records carry sequences baseSequence.. in order.</summary>
    public static byte[] CreateIdempotent(long producerId, short producerEpoch, int baseSequence, int recordCount, long timestampMs = 1_700_000_000_000) =>
        Create(recordCount, 20, timestampMs, baseSequence, CompressionCodec.None, producerId, producerEpoch, baseSequence);

    private static byte[] Create(int recordCount, int valueBytes, long timestampMs, long tag, CompressionCodec codec, long producerId, short producerEpoch, int baseSequence)
    {
        using var builder = new RecordBatchBuilder { Compression = codec, ProducerId = producerId, ProducerEpoch = producerEpoch, BaseSequence = baseSequence };
        var value = new byte[Math.Max(9, valueBytes)]; // the tag, then a record index byte
        BinaryPrimitives.WriteInt64BigEndian(value, tag);
        for (int i = 0; i < recordCount; i++)
        {
            value[^1] = (byte)i;
            builder.Append(timestampMs + i, key: null, value: value);
        }

        return builder.Build();
    }

    /// <summary>The tag of the first record of a stored batch (uncompressed batches only).</summary>
    public static long ReadTag(ReadOnlySpan<byte> batch)
    {
        var reader = new RecordBatchReader(batch, null, int.MaxValue);
        var records = reader.GetRecords();
        Assert.True(records.MoveNext());
        return BinaryPrimitives.ReadInt64BigEndian(records.Current.Value);
    }

    /// <summary>Splits concatenated batches (a read slice); a partial last batch is dropped, as a client would.</summary>
    public static List<byte[]> Split(ReadOnlySpan<byte> bytes)
    {
        var batches = new List<byte[]>();
        while (true)
        {
            int size = RecordBatchHeader.PeekSizeInBytes(bytes);
            if (size < RecordBatchLayout.HeaderSize || size > bytes.Length)
            {
                return batches;
            }

            batches.Add(bytes[..size].ToArray());
            bytes = bytes[size..];
        }
    }
}
