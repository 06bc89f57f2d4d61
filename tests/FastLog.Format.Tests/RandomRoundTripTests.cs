namespace FastLog.Format.Tests;

public class RandomRoundTripTests
{
    public static TheoryData<CompressionCodec> AllCodecs => GoldenBatchTests.AllCodecs;

    private static byte[]? RandomBytes(Random random, int maxLength)
    {
        int kind = random.Next(10);
        if (kind == 0)
        {
            return null;
        }

        if (kind == 1)
        {
            return [];
        }

        var bytes = new byte[random.Next(maxLength + 1)];

        // Half the time compressible (small alphabet), half the time noise.
        if (random.Next(2) == 0)
        {
            random.NextBytes(bytes);
        }
        else
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)random.Next(4);
            }
        }

        return bytes;
    }

    private static ExpectedRecord RandomRecord(Random random, long baseTimestamp)
    {
        var headers = new RecordHeader[random.Next(4)];
        for (int h = 0; h < headers.Length; h++)
        {
            string key = h % 2 == 0 ? $"h{random.Next(1000)}" : $"\u00e9t\u00e9-{h}";
            headers[h] = new RecordHeader(key, RandomBytes(random, 20));
        }

        // Timestamps wander around the base, earlier ones included (signed deltas).
        long timestamp = baseTimestamp + random.Next(-100_000, 100_000);
        return new ExpectedRecord(timestamp, RandomBytes(random, 40), RandomBytes(random, 3000), headers);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Random_batches_read_back_equal(CompressionCodec codec)
    {
        var random = new Random(20240601 + (int)codec);
        using var scratch = new PooledBufferWriter();
        for (int batchNumber = 0; batchNumber < 40; batchNumber++)
        {
            long baseTimestamp = 1_600_000_000_000 + random.NextInt64(100_000_000_000);
            var records = new ExpectedRecord[random.Next(1, 60)];
            for (int i = 0; i < records.Length; i++)
            {
                records[i] = RandomRecord(random, baseTimestamp);
            }

            using var builder = new RecordBatchBuilder
            {
                Compression = codec,
                ProducerId = random.Next(2) == 0 ? -1 : random.NextInt64(long.MaxValue),
                ProducerEpoch = (short)random.Next(short.MaxValue),
                BaseSequence = random.Next(int.MaxValue),
                IsTransactional = random.Next(2) == 0,
                PartitionLeaderEpoch = random.Next(2) == 0 ? -1 : 0,
            };
            foreach (var r in records)
            {
                builder.Append(r.TimestampMs, r.Key, r.Value, r.Headers);
            }

            var batch = builder.Build();
            Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(batch, int.MaxValue, out int size));
            Assert.Equal(batch.Length, size);
            Assert.Equal(RecordBatchError.None, RecordBatchValidator.ValidateRecords(batch, scratch, 64 << 20));
            var header = new RecordBatchHeader(batch);
            Assert.Equal(codec, header.Compression);
            Assert.Equal(builder.ProducerId, header.ProducerId);
            Assert.Equal(builder.ProducerEpoch, header.ProducerEpoch);
            Assert.Equal(builder.BaseSequence, header.BaseSequence);
            Assert.Equal(builder.IsTransactional, header.IsTransactional);
            Assert.Equal(builder.PartitionLeaderEpoch, header.PartitionLeaderEpoch);
            TestBytes.AssertRecords(batch, records);
        }
    }

    [Fact]
    public void Builder_writes_into_a_buffer_writer_and_can_be_reused()
    {
        using var builder = new RecordBatchBuilder { Compression = CompressionCodec.Zstd };
        using var output = new PooledBufferWriter();
        builder.Append(1, "a"u8.ToArray(), "b"u8.ToArray());
        int first = builder.Build(output);
        builder.Reset();
        builder.Append(2, null, null);
        builder.Append(3, null, null);
        int second = builder.Build(output);
        Assert.Equal(first + second, output.WrittenCount);

        var all = output.WrittenSpan;
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(all, int.MaxValue, out int size));
        Assert.Equal(first, size);
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(all[first..], int.MaxValue, out size));
        Assert.Equal(second, size);
        TestBytes.AssertRecords(all[first..].ToArray(), [new(2, null, null, []), new(3, null, null, [])]);
    }

    [Fact]
    public void Control_and_log_append_time_flags_are_written_and_honoured()
    {
        using var builder = new RecordBatchBuilder { IsControl = true, IsTransactional = true, IsLogAppendTime = true };
        builder.Append(100, [0, 0, 0, 1], [0, 0, 0, 0, 0, 5]);
        builder.Append(50, null, null);
        var batch = builder.Build();
        var header = new RecordBatchHeader(batch);
        Assert.True(header.IsControl);
        Assert.True(header.IsTransactional);
        Assert.True(header.IsLogAppendTime);
        var reader = new RecordBatchReader(batch, null, 1 << 20);
        foreach (var record in reader.GetRecords())
        {
            Assert.Equal(header.MaxTimestamp, record.Timestamp);
        }
    }

    [Fact]
    public void Empty_builder_refuses_to_build()
    {
        using var builder = new RecordBatchBuilder();
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void Compressed_batch_without_a_scratch_buffer_is_an_argument_error()
    {
        var batch = TestBytes.FromHex(GoldenBatches.Zstd);
        Assert.Throws<ArgumentNullException>(() => new RecordBatchReader(batch, null, 1 << 20));
    }
}
