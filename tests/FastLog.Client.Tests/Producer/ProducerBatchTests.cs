using System.Text;
using FastLog.Client.Producer;
using FastLog.Format;

namespace FastLog.Client.Tests.Producer;

/// <summary>
/// The batch the producer builds in place is a valid RecordBatch v2 as FastLog.Format reads it: header fields,
/// CRC-32C, every codec, null versus empty keys and values, headers, and the producer id, epoch and sequence.
/// </summary>
public sealed class ProducerBatchTests
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void A_sealed_batch_validates_and_reads_back_every_record(CompressionType codec)
    {
        var memory = new BufferPool(1 << 24);
        var batch = new ProducerBatch(new BatchPool(memory), memory);
        var queue = new PartitionQueue("t", 3);
        Assert.True(memory.TryReserve(ProducerBatch.MinBufferBytes));
        batch.Start(queue, 0, memory.Rent(ProducerBatch.MinBufferBytes), ProducerBatch.MinBufferBytes, MonotonicClock.NowMs);
        const long BaseTime = 1_700_000_000_000;
        for (int i = 0; i < 500; i++)
        {
            byte[] key = Encoding.UTF8.GetBytes($"k{i}");
            byte[] value = Encoding.UTF8.GetBytes($"value {i} " + new string('z', i % 50));
            Header[] headers = i % 2 == 0 ? [new Header("trace", Encoding.UTF8.GetBytes($"t{i}"))] : [];
            var record = new RecordParts(BaseTime + (i % 7) - 3, key, i % 5 == 0, value, i % 11 == 0, headers);
            Assert.Equal(AppendStatus.Appended, batch.TryAppend(record, 1_000_000, memory, null, out _, out _));
        }

        batch.ProducerId = 77;
        batch.ProducerEpoch = 3;
        batch.BaseSequence = 1000;
        ReadOnlySpan<byte> wire = batch.Seal(codec).Span;

        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(wire, int.MaxValue, out int size));
        Assert.Equal(wire.Length, size);
        var header = new RecordBatchHeader(wire);
        Assert.Equal((CompressionCodec)codec, header.Compression);
        Assert.Equal(500, header.RecordsCount);
        Assert.Equal(499, header.LastOffsetDelta);
        Assert.Equal(77, header.ProducerId);
        Assert.Equal(3, header.ProducerEpoch);
        Assert.Equal(1000, header.BaseSequence);
        Assert.Equal(BaseTime - 3, header.BaseTimestamp);
        Assert.Equal(BaseTime + 3, header.MaxTimestamp);

        using var scratch = new PooledBufferWriter();
        var reader = new RecordBatchReader(wire, scratch, int.MaxValue);
        int n = 0;
        foreach (RecordView record in reader.GetRecords())
        {
            Assert.Equal(n, record.Offset);
            Assert.Equal(n % 5 == 0, record.IsKeyNull);
            if (!record.IsKeyNull)
            {
                Assert.Equal($"k{n}", Encoding.UTF8.GetString(record.Key));
            }

            Assert.Equal(n % 11 == 0, record.IsValueNull);
            if (!record.IsValueNull)
            {
                Assert.Equal($"value {n} " + new string('z', n % 50), Encoding.UTF8.GetString(record.Value));
            }

            Assert.Equal(BaseTime + (n % 7) - 3, record.Timestamp);
            Assert.Equal(n % 2 == 0 ? 1 : 0, record.HeaderCount);
            n++;
        }

        Assert.Equal(500, n);

        // A resend after an epoch bump only rewrites the header; the batch stays valid.
        batch.ProducerEpoch = 4;
        batch.BaseSequence = 0;
        ReadOnlySpan<byte> resent = batch.Seal(codec).Span;
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(resent, int.MaxValue, out _));
        Assert.Equal(4, new RecordBatchHeader(resent).ProducerEpoch);
        Assert.Equal(0, new RecordBatchHeader(resent).BaseSequence);
    }

    [Fact]
    public void A_batch_the_codec_cannot_shrink_goes_out_uncompressed_and_the_next_ones_skip_the_attempt()
    {
        var memory = new BufferPool(1 << 24);
        var queue = new PartitionQueue("t", 0);
        var random = new Random(7);
        for (int round = 0; round < 3; round++)
        {
            var batch = new ProducerBatch(new BatchPool(memory), memory);
            Assert.True(memory.TryReserve(ProducerBatch.MinBufferBytes));
            batch.Start(queue, round, memory.Rent(ProducerBatch.MinBufferBytes), ProducerBatch.MinBufferBytes, MonotonicClock.NowMs);
            for (int i = 0; i < 50; i++)
            {
                byte[] noise = new byte[200];
                random.NextBytes(noise);
                Assert.Equal(AppendStatus.Appended, batch.TryAppend(new RecordParts(1, default, true, noise, false, null), 1_000_000, memory, null, out _, out _));
            }

            ReadOnlySpan<byte> wire = batch.Seal(CompressionType.Lz4).Span;
            Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(wire, int.MaxValue, out _));
            Assert.Equal(CompressionCodec.None, new RecordBatchHeader(wire).Compression);
            Assert.Equal(50, new RecordBatchHeader(wire).RecordsCount);
        }

        // Compressible records are compressed again once the skipped batches are used up.
        for (int skipped = 0; skipped < PartitionQueue.IncompressibleSkipBatches; skipped++)
        {
            queue.SkipCompression();
        }

        var text = new ProducerBatch(new BatchPool(memory), memory);
        Assert.True(memory.TryReserve(ProducerBatch.MinBufferBytes));
        text.Start(queue, 9, memory.Rent(ProducerBatch.MinBufferBytes), ProducerBatch.MinBufferBytes, MonotonicClock.NowMs);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(AppendStatus.Appended, text.TryAppend(new RecordParts(1, default, true, Encoding.UTF8.GetBytes(new string('a', 200)), false, null), 1_000_000, memory, null, out _, out _));
        }

        Assert.Equal(CompressionCodec.Lz4, new RecordBatchHeader(text.Seal(CompressionType.Lz4).Span).Compression);
    }

    [Fact]
    public void A_full_batch_refuses_the_next_record_but_an_empty_one_takes_a_record_larger_than_batch_size()
    {
        var memory = new BufferPool(1 << 24);
        var batch = new ProducerBatch(new BatchPool(memory), memory);
        Assert.True(memory.TryReserve(ProducerBatch.MinBufferBytes));
        batch.Start(new PartitionQueue("t", 0), 0, memory.Rent(ProducerBatch.MinBufferBytes), ProducerBatch.MinBufferBytes, MonotonicClock.NowMs);
        byte[] big = new byte[50_000];
        var record = new RecordParts(0, default, true, big, false, null);
        Assert.Equal(AppendStatus.Appended, batch.TryAppend(record, 1000, memory, null, out _, out _));
        Assert.Equal(AppendStatus.Full, batch.TryAppend(record, 1000, memory, null, out _, out _));
        Assert.True(batch.ReservedBytes >= 50_000);
        Assert.Equal((1 << 24) - batch.ReservedBytes, memory.AvailableBytes);
    }
}
