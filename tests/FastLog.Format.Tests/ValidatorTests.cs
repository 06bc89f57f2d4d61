using System.Buffers.Binary;

namespace FastLog.Format.Tests;

public class ValidatorTests
{
    private const int MaxBatchBytes = 1 << 20;

    private static byte[] Example() => TestBytes.FromHex(WorkedExample.Hex);

    private static void AssertRefused(byte[] batch, RecordBatchError error, short kafkaCode, int maxBatchBytes = MaxBatchBytes)
    {
        Assert.Equal(error, RecordBatchValidator.Validate(batch, maxBatchBytes, out _));
        Assert.Equal(kafkaCode, error.ToKafkaErrorCode());
    }

    [Fact]
    public void Valid_batch_passes() =>
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(Example(), MaxBatchBytes, out _));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Wrong_magic_is_unsupported_for_message_format(byte magic)
    {
        var batch = Example();
        batch[RecordBatchLayout.MagicOffset] = magic;
        AssertRefused(batch, RecordBatchError.UnsupportedMagic, 43);
    }

    [Theory]
    [InlineData(RecordBatchLayout.AttributesOffset + 1)]
    [InlineData(RecordBatchLayout.BaseTimestampOffset + 7)]
    [InlineData(RecordBatchLayout.RecordsOffset + 5)]
    [InlineData(73)]
    public void Flipped_byte_under_the_crc_is_corrupt_message(int index)
    {
        var batch = Example();
        batch[index] ^= 0x01;
        AssertRefused(batch, RecordBatchError.CrcMismatch, 2);
    }

    [Fact]
    public void Flipped_crc_is_corrupt_message()
    {
        var batch = Example();
        batch[RecordBatchLayout.CrcOffset] ^= 0x80;
        AssertRefused(batch, RecordBatchError.CrcMismatch, 2);
    }

    [Fact]
    public void Broker_owned_fields_are_outside_the_crc()
    {
        var batch = Example();
        RecordBatchHeader.StampBaseOffset(batch, 123456);
        RecordBatchHeader.StampPartitionLeaderEpoch(batch, 7);
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, MaxBatchBytes, out _));
        TestBytes.AssertRecords(batch, [new(WorkedExample.TimestampMs, "k"u8.ToArray(), "v"u8.ToArray(), [new("h", "1"u8.ToArray())])], baseOffset: 123456);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead - 1)]
    [InlineData(int.MaxValue)]
    public void Impossible_batch_length_is_corrupt_message(int batchLength)
    {
        var batch = Example();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.BatchLengthOffset), batchLength);
        var error = RecordBatchValidator.Validate(batch, MaxBatchBytes, out _);
        Assert.True(error is RecordBatchError.InvalidLength or RecordBatchError.Truncated, error.ToString());
        Assert.Equal(2, error.ToKafkaErrorCode());
    }

    [Fact]
    public void Batch_longer_than_the_bytes_is_truncated()
    {
        var batch = Example();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.BatchLengthOffset), 1000);
        AssertRefused(batch, RecordBatchError.Truncated, 2);
        AssertRefused(batch[..40], RecordBatchError.Truncated, 2);
    }

    [Theory]
    [InlineData(0, -1)]
    [InlineData(-1, 0)]
    [InlineData(2, 0)]
    [InlineData(1, 1)]
    [InlineData(100, 99)] // more records than 13 bytes can hold
    public void Bad_record_count_is_invalid_record(int count, int lastOffsetDelta)
    {
        var batch = Example();
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.RecordsCountOffset), count);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.LastOffsetDeltaOffset), lastOffsetDelta);
        RecordBatchHeader.WriteCrc(batch);
        AssertRefused(batch, RecordBatchError.InvalidRecordCount, 87);
    }

    [Fact]
    public void Too_large_is_message_too_large() =>
        AssertRefused(Example(), RecordBatchError.TooLarge, 10, maxBatchBytes: 73);

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Unknown_codec_is_unsupported_compression_type(int codec)
    {
        var batch = Example();
        batch[RecordBatchLayout.AttributesOffset + 1] = (byte)codec;
        RecordBatchHeader.WriteCrc(batch);
        AssertRefused(batch, RecordBatchError.UnsupportedCompression, 76);
        var ex = Assert.Throws<InvalidRecordBatchException>(() => Compression.Decompress((CompressionCodec)codec, [1, 2, 3], 100));
        Assert.Equal(RecordBatchError.UnsupportedCompression, ex.Error);
        Assert.Equal(76, ex.KafkaErrorCode);
    }

    [Fact]
    public void Deep_validation_catches_a_bad_record_under_a_good_crc()
    {
        var batch = Example();
        batch[RecordBatchLayout.RecordsOffset + 4] = 0x04; // key length 2: runs into the value
        RecordBatchHeader.WriteCrc(batch);
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, MaxBatchBytes, out _));
        using var scratch = new PooledBufferWriter();
        var error = RecordBatchValidator.ValidateRecords(batch, scratch, MaxBatchBytes);
        Assert.Equal(RecordBatchError.InvalidRecord, error);
        Assert.Equal(87, error.ToKafkaErrorCode());
    }

    [Fact]
    public void Deep_validation_requires_sequential_offset_deltas()
    {
        var batch = Example();
        batch[RecordBatchLayout.RecordsOffset + 3] = 0x02; // offsetDelta 1 for the only record
        RecordBatchHeader.WriteCrc(batch);
        using var scratch = new PooledBufferWriter();
        Assert.Equal(RecordBatchError.InvalidRecord, RecordBatchValidator.ValidateRecords(batch, scratch, MaxBatchBytes));
    }

    [Fact]
    public void Deep_validation_reports_header_errors_first()
    {
        var batch = Example();
        batch[RecordBatchLayout.MagicOffset] = 1;
        using var scratch = new PooledBufferWriter();
        Assert.Equal(RecordBatchError.UnsupportedMagic, RecordBatchValidator.ValidateRecords(batch, scratch, MaxBatchBytes));
    }
}
