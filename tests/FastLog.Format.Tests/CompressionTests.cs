using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace FastLog.Format.Tests;

public class CompressionTests
{
    public static TheoryData<CompressionCodec> CompressedCodecs =>
        [CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd];

    private static byte[] SampleData(int length, int seed = 7)
    {
        // Compressible but not trivial: a small alphabet.
        var random = new Random(seed);
        var data = new byte[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)('a' + random.Next(6));
        }

        return data;
    }

    private static void AssertInvalidRecord(Action action)
    {
        var ex = Assert.Throws<InvalidRecordBatchException>(action);
        Assert.Equal(RecordBatchError.InvalidRecord, ex.Error);
        Assert.Equal(87, ex.KafkaErrorCode);
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Round_trips_including_multi_block_sizes(CompressionCodec codec)
    {
        foreach (int length in new[] { 0, 1, 100, 65536, 65537, 300_000 })
        {
            var data = SampleData(length);
            var compressed = Compression.Compress(codec, data);
            Assert.Equal(data, Compression.Decompress(codec, compressed, length));
        }
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Incompressible_data_round_trips(CompressionCodec codec)
    {
        var data = new byte[200_000];
        new Random(3).NextBytes(data);
        Assert.Equal(data, Compression.Decompress(codec, Compression.Compress(codec, data), data.Length));
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Compression_bomb_is_refused(CompressionCodec codec)
    {
        var zeros = new byte[8 * 1024 * 1024];
        var compressed = Compression.Compress(codec, zeros);
        Assert.True(compressed.Length < zeros.Length / 10);
        AssertInvalidRecord(() => Compression.Decompress(codec, compressed, 1024 * 1024));
        AssertInvalidRecord(() => Compression.Decompress(codec, compressed, zeros.Length - 1));
        Assert.Equal(zeros.Length, Compression.Decompress(codec, compressed, zeros.Length).Length);
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Empty_input_is_invalid_record(CompressionCodec codec) =>
        AssertInvalidRecord(() => Compression.Decompress(codec, [], 100));

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Unbounded_limit_is_accepted(CompressionCodec codec)
    {
        var data = SampleData(1000);
        Assert.Equal(data, Compression.Decompress(codec, Compression.Compress(codec, data), int.MaxValue));
    }

    [Fact]
    public void Uncompressed_region_is_bounded_too() =>
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.None, new byte[10], 9));

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Garbage_is_invalid_record(CompressionCodec codec)
    {
        var garbage = new byte[1000];
        new Random(11).NextBytes(garbage);
        AssertInvalidRecord(() => Compression.Decompress(codec, garbage, 1 << 20));
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Truncated_input_is_invalid_record_or_short(CompressionCodec codec)
    {
        var data = SampleData(100_000);
        var compressed = Compression.Compress(codec, data);
        foreach (int keep in new[] { 1, 5, compressed.Length / 2, compressed.Length - 1 })
        {
            try
            {
                var output = Compression.Decompress(codec, compressed.AsSpan(0, keep), 1 << 20);

                // A stream decoder may stop quietly at a cut (gzip does not insist on its trailer);
                // what it returns must still be a prefix of the data - the record walk then
                // notices missing records.
                Assert.True(output.AsSpan().SequenceEqual(data.AsSpan(0, output.Length)), $"{codec} cut at {keep} produced wrong bytes");
            }
            catch (InvalidRecordBatchException ex)
            {
                Assert.Equal(RecordBatchError.InvalidRecord, ex.Error);
            }
        }
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Corrupt_compressed_batch_fails_only_with_the_typed_exception(CompressionCodec codec)
    {
        var golden = TestBytes.FromHex(GoldenBatches.ForCodec(codec));
        var random = new Random(99);
        using var scratch = new PooledBufferWriter();
        for (int i = 0; i < 500; i++)
        {
            var batch = (byte[])golden.Clone();
            batch[random.Next(RecordBatchLayout.RecordsOffset, batch.Length)] ^= (byte)random.Next(1, 256);
            RecordBatchHeader.WriteCrc(batch); // past the CRC: only the decoders can notice
            var error = RecordBatchValidator.ValidateRecords(batch, scratch, 1 << 20);
            Assert.True(error is RecordBatchError.None or RecordBatchError.InvalidRecord, error.ToString());
        }
    }

    [Fact]
    public void Raw_snappy_block_is_accepted_like_librdkafka_writes_it()
    {
        var data = SampleData(5000);
        var raw = Snappier.Snappy.CompressToArray(data);
        Assert.Equal(data, Compression.Decompress(CompressionCodec.Snappy, raw, data.Length));
    }

    [Fact]
    public void Xerial_snappy_with_a_bad_block_length_is_invalid_record()
    {
        var frame = TestBytes.FromHex("82534e4150505900 00000001 00000001 7fffffff 00");
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Snappy, frame, 1 << 20));
        frame = TestBytes.FromHex("82534e4150505900 00000001 00000001 ffffffff 00");
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Snappy, frame, 1 << 20));
    }

    // ---- LZ4 frame options ----

    private const byte FlgBase = 0x60;

    /// <summary>Builds an LZ4 frame by hand with the given FLG/BD and one compressed block.</summary>
    private static byte[] Lz4Frame(byte[] data, byte flg, byte bd = 0x40, bool goodHeaderChecksum = true, bool goodChecksums = true)
    {
        var output = new List<byte>(TestBytes.FromHex("04224d18"));
        var descriptor = new List<byte> { flg, bd };
        if ((flg & 0x08) != 0)
        {
            var size = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)data.Length);
            descriptor.AddRange(size);
        }

        output.AddRange(descriptor);
        byte hc = (byte)(XxHash32.HashToUInt32(descriptor.ToArray()) >> 8);
        output.Add(goodHeaderChecksum ? hc : (byte)(hc + 1));

        var block = new byte[LZ4Codec.MaximumOutputSize(data.Length)];
        int encoded = LZ4Codec.Encode(data, block);
        var word = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)encoded);
        output.AddRange(word);
        output.AddRange(block.AsSpan(0, encoded).ToArray());
        if ((flg & 0x10) != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, XxHash32.HashToUInt32(block.AsSpan(0, encoded)) + (goodChecksums ? 0u : 1u));
            output.AddRange(word);
        }

        output.AddRange(new byte[4]);
        if ((flg & 0x04) != 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, XxHash32.HashToUInt32(data) + (goodChecksums ? 0u : 1u));
            output.AddRange(word);
        }

        return [.. output];
    }

    [Theory]
    [InlineData(FlgBase, 0x40)]
    [InlineData(FlgBase | 0x08, 0x40)] // content size, as python-lz4 writes
    [InlineData(FlgBase | 0x10, 0x50)] // block checksum, 256 KB blocks
    [InlineData(FlgBase | 0x04, 0x60)] // content checksum, 1 MB blocks
    [InlineData(FlgBase | 0x1C, 0x70)] // everything, 4 MB blocks
    public void Lz4_frame_options_are_honoured(byte flg, byte bd)
    {
        var data = SampleData(20_000);
        Assert.Equal(data, Compression.Decompress(CompressionCodec.Lz4, Lz4Frame(data, flg, bd), data.Length));
    }

    [Fact]
    public void Lz4_linked_blocks_are_refused() =>
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Lz4, Lz4Frame(SampleData(100), 0x40), 1000));

    [Theory]
    [InlineData(0x20)] // version 00
    [InlineData(0xA0)] // version 10
    [InlineData(0x61)] // reserved bit
    [InlineData(0x62)] // reserved bit
    public void Lz4_bad_flags_are_refused(byte flg) =>
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Lz4, Lz4Frame(SampleData(100), flg), 1000));

    [Theory]
    [InlineData(0x30)] // block size id 3
    [InlineData(0x00)]
    [InlineData(0xC0)] // reserved bit 7
    [InlineData(0x41)] // reserved low bits
    public void Lz4_bad_block_descriptor_is_refused(byte bd) =>
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Lz4, Lz4Frame(SampleData(100), FlgBase, bd), 1000));

    [Fact]
    public void Lz4_bad_header_checksum_is_refused() =>
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Lz4, Lz4Frame(SampleData(100), FlgBase, goodHeaderChecksum: false), 1000));

    [Theory]
    [InlineData(FlgBase | 0x10)]
    [InlineData(FlgBase | 0x04)]
    public void Lz4_bad_block_or_content_checksum_is_refused(byte flg) =>
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Lz4, Lz4Frame(SampleData(100), flg, goodChecksums: false), 1000));

    [Fact]
    public void Lz4_wrong_content_size_is_refused()
    {
        var frame = Lz4Frame(SampleData(100), FlgBase | 0x08);
        frame[6] = 99; // content size 99 instead of 100 (HC must be fixed up too)
        frame[14] = (byte)(XxHash32.HashToUInt32(frame.AsSpan(4, 10)) >> 8);
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Lz4, frame, 1000));
    }

    [Fact]
    public void Lz4_block_larger_than_the_frame_maximum_is_refused()
    {
        var frame = TestBytes.FromHex("04224d18 60 40 82 01000100"); // 65537-byte block in a 64 KB frame
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Lz4, frame, 1 << 20));
    }

    [Fact]
    public void Lz4_missing_end_mark_is_refused()
    {
        var frame = Compression.Compress(CompressionCodec.Lz4, SampleData(1000));
        AssertInvalidRecord(() => Compression.Decompress(CompressionCodec.Lz4, frame.AsSpan(0, frame.Length - 4), 1 << 20));
    }
}
