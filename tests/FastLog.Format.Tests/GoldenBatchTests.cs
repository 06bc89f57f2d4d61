using System.Buffers;

namespace FastLog.Format.Tests;

public class GoldenBatchTests
{
    public static TheoryData<CompressionCodec> AllCodecs =>
        [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd];

    [Fact]
    public void Worked_example_parses()
    {
        var batch = TestBytes.FromHex(WorkedExample.Hex);
        Assert.Equal(74, batch.Length);
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, 1 << 20, out int size));
        Assert.Equal(74, size);
        var header = new RecordBatchHeader(batch);
        Assert.Equal(0, header.BaseOffset);
        Assert.Equal(62, header.BatchLength);
        Assert.Equal(0, header.PartitionLeaderEpoch);
        Assert.Equal(WorkedExample.TimestampMs, header.BaseTimestamp);
        Assert.Equal(WorkedExample.TimestampMs, header.MaxTimestamp);
        Assert.Equal(-1, header.ProducerId);
        Assert.Equal(-1, header.ProducerEpoch);
        Assert.Equal(-1, header.BaseSequence);
        Assert.Equal(CompressionCodec.None, header.Compression);
        TestBytes.AssertRecords(batch, [new(WorkedExample.TimestampMs, "k"u8.ToArray(), "v"u8.ToArray(), [new("h", "1"u8.ToArray())])]);
    }

    [Fact]
    public void Builder_reproduces_the_worked_example_byte_for_byte()
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(WorkedExample.TimestampMs, "k"u8.ToArray(), "v"u8.ToArray(), [new RecordHeader("h", "1"u8.ToArray())]);
        Assert.Equal(TestBytes.FromHex(WorkedExample.Hex), builder.Build());
    }

    [Fact]
    public void Builder_reproduces_the_uncompressed_client_batch_byte_for_byte() =>
        Assert.Equal(TestBytes.FromHex(GoldenBatches.None), TestBytes.Build(CompressionCodec.None, GoldenBatches.Expected));

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Client_batch_validates_and_reads_back(CompressionCodec codec)
    {
        var batch = TestBytes.FromHex(GoldenBatches.ForCodec(codec));
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, 1 << 20, out int size));
        Assert.Equal(batch.Length, size);
        Assert.Equal(codec, new RecordBatchHeader(batch).Compression);
        using var scratch = new PooledBufferWriter();
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.ValidateRecords(batch, scratch, 1 << 20));
        TestBytes.AssertRecords(batch, GoldenBatches.Expected);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Client_batches_all_hold_the_same_records_region(CompressionCodec codec)
    {
        var reference = TestBytes.FromHex(GoldenBatches.None)[RecordBatchLayout.RecordsOffset..];
        var batch = TestBytes.FromHex(GoldenBatches.ForCodec(codec));
        using var scratch = new PooledBufferWriter();
        var reader = new RecordBatchReader(batch, scratch, 1 << 20);
        Assert.Equal(reference, reader.RecordsBytes.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Builder_output_reads_back_for_every_codec(CompressionCodec codec)
    {
        var batch = TestBytes.Build(codec, GoldenBatches.Expected);
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, 1 << 20, out _));
        Assert.Equal(codec, new RecordBatchHeader(batch).Compression);
        TestBytes.AssertRecords(batch, GoldenBatches.Expected);
    }

    [Fact]
    public void Kafka_python_snappy_batch_uses_xerial_framing()
    {
        var batch = TestBytes.FromHex(GoldenBatches.Snappy);
        Assert.True(batch.AsSpan(RecordBatchLayout.RecordsOffset).StartsWith(SnappyCodec.XerialMagic));
    }

    [Fact]
    public void Kafka_python_lz4_batch_stores_the_content_size()
    {
        var batch = TestBytes.FromHex(GoldenBatches.Lz4);
        Assert.Equal(0x68, batch[RecordBatchLayout.RecordsOffset + 4]);
    }

    [Fact]
    public void Hand_made_xerial_snappy_batch_with_several_blocks_reads_back()
    {
        var records = TestBytes.FromHex(GoldenBatches.None)[RecordBatchLayout.RecordsOffset..];
        using var framed = new PooledBufferWriter();
        framed.Write(SnappyCodec.XerialMagic);
        framed.Write(TestBytes.FromHex("00000001 00000001"));
        const int blockBytes = 100; // small blocks so the records span several of them
        for (int offset = 0; offset < records.Length; offset += blockBytes)
        {
            var block = Snappier.Snappy.CompressToArray(records.AsSpan(offset, Math.Min(blockBytes, records.Length - offset)));
            var length = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, block.Length);
            framed.Write(length);
            framed.Write(block);
        }

        var batch = WithRecordsRegion(TestBytes.FromHex(GoldenBatches.None), CompressionCodec.Snappy, framed.WrittenSpan);
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, 1 << 20, out _));
        TestBytes.AssertRecords(batch, GoldenBatches.Expected);
    }

    [Fact]
    public void Our_lz4_frames_start_like_kafkas()
    {
        var frame = Compression.Compress(CompressionCodec.Lz4, "hello hello hello hello"u8);
        Assert.Equal(TestBytes.FromHex("04224d18604082"), frame[..7]);
        Assert.Equal(0x82, Lz4FrameCodec.HeaderChecksum([0x60, 0x40]));
        Assert.Equal(0xA7, Lz4FrameCodec.HeaderChecksum([0x64, 0x40]));
    }

    /// <summary>Replaces a batch's records region and codec, fixing batchLength and the CRC.</summary>
    internal static byte[] WithRecordsRegion(byte[] batch, CompressionCodec codec, ReadOnlySpan<byte> region)
    {
        var result = new byte[RecordBatchLayout.RecordsOffset + region.Length];
        batch.AsSpan(0, RecordBatchLayout.RecordsOffset).CopyTo(result);
        region.CopyTo(result.AsSpan(RecordBatchLayout.RecordsOffset));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(RecordBatchLayout.BatchLengthOffset), result.Length - RecordBatchLayout.LogOverhead);
        short attributes = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(result.AsSpan(RecordBatchLayout.AttributesOffset));
        attributes = (short)((attributes & ~(int)BatchAttributes.CompressionMask) | (int)codec);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(result.AsSpan(RecordBatchLayout.AttributesOffset), attributes);
        RecordBatchHeader.WriteCrc(result);
        return result;
    }
}
