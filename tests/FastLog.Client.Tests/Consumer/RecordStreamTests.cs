using System.Buffers.Binary;
using System.Text;
using FastLog.Client.Consumer;
using FastLog.Format;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// The consume hot path without a broker: prebuilt record batches are handed to a <see cref="RecordStream"/> as
/// fetched chunks. Checks what is returned and what is skipped (records and batches before the position, control
/// batches, aborted transactions, stale chunks), corrupt data handling, and that iterating allocates nothing.
/// </summary>
public sealed class RecordStreamTests
{
    private const long BaseTimestamp = 1_700_000_000_000;

    private static byte[] Batch(long baseOffset, int count, CompressionCodec codec = CompressionCodec.None, long producerId = -1, bool transactional = false, bool logAppendTime = false, int valueBytes = 8)
    {
        using var builder = new RecordBatchBuilder
        {
            BaseOffset = baseOffset,
            Compression = codec,
            ProducerId = producerId,
            ProducerEpoch = producerId >= 0 ? (short)0 : (short)-1,
            IsTransactional = transactional,
            IsLogAppendTime = logAppendTime,
            PartitionLeaderEpoch = 7,
        };
        for (int i = 0; i < count; i++)
        {
            long offset = baseOffset + i;
            byte[] value = new byte[valueBytes];
            BinaryPrimitives.WriteInt64BigEndian(value, offset);
            builder.Append(BaseTimestamp + offset, Encoding.UTF8.GetBytes("k" + offset), value, [new RecordHeader("h", [(byte)i])]);
        }

        return builder.Build();
    }

    /// <summary>A transaction marker: control batch whose record key is (version 0, type) — 0 abort, 1 commit.</summary>
    private static byte[] Marker(long offset, long producerId, bool commit)
    {
        using var builder = new RecordBatchBuilder { BaseOffset = offset, ProducerId = producerId, ProducerEpoch = 0, IsTransactional = true, IsControl = true };
        byte[] key = [0, 0, 0, commit ? (byte)1 : (byte)0];
        builder.Append(BaseTimestamp + offset, key, [0, 0, 0, 0, 0, 0]);
        return builder.Build();
    }

    private static FetchedChunk Chunk(PartitionState state, params byte[][] batches) => Chunk(state, null, batches);

    private static FetchedChunk Chunk(PartitionState state, List<FetchResponse.AbortedTransaction>? aborted, params byte[][] batches)
    {
        byte[] buffer = [.. batches.SelectMany(b => b)];
        long next = batches.Max(b => new RecordBatchHeader(b).LastOffset) + 1;
        return new FetchedChunk(state, state.Version, buffer, 0, buffer.Length, next) { AbortedTransactions = aborted };
    }

    private static PartitionState Partition(string topic, int partition, long position)
    {
        var state = new PartitionState(new TopicPartition(topic, partition));
        state.SeekTo(position);
        return state;
    }

    private static (RecordStream Stream, FetchBuffer Buffer) NewStream(bool readCommitted = false, Action<PartitionState>? onCorrupt = null)
    {
        var signals = new ConsumerSignals();
        var buffer = new FetchBuffer(signals);
        return (new RecordStream(buffer, signals, _ => ValueTask.FromResult(true), checkCrcs: true, readCommitted, onCorrupt), buffer);
    }

    /// <summary>One synchronous move: true with a record, false when nothing is buffered.</summary>
    private static bool Move(RecordStream stream)
    {
        ValueTask<bool> move = stream.MoveNextAsync(CancellationToken.None);
        if (!move.IsCompleted)
        {
            return false;
        }

        Assert.True(move.Result);
        return true;
    }

    /// <summary>
    /// Moves until no record is buffered (the fast path answers synchronously while data lasts); the final move,
    /// which would wait for more data, is cancelled and awaited so no move is left pending.
    /// </summary>
    private static async Task<List<(int Partition, long Offset, long Value)>> DrainAsync(RecordStream stream)
    {
        var read = new List<(int, long, long)>();
        using var stop = new CancellationTokenSource();
        while (true)
        {
            ValueTask<bool> move = stream.MoveNextAsync(stop.Token);
            if (!move.IsCompleted)
            {
                await stop.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await move);
                return read;
            }

            Assert.True(move.Result);
            ConsumedRecord record = stream.Current;
            read.Add((record.Partition, record.Offset, BinaryPrimitives.ReadInt64BigEndian(record.Value.Span)));
        }
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Gzip)]
    [InlineData(CompressionCodec.Snappy)]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.Zstd)]
    public async Task Returns_every_record_of_every_chunk_with_its_fields(CompressionCodec codec)
    {
        (RecordStream stream, FetchBuffer buffer) = NewStream();
        PartitionState p0 = Partition("t", 0, 0);
        PartitionState p1 = Partition("t", 1, 0);
        buffer.Add(new FetchedResponse(null, [Chunk(p0, Batch(0, 10, codec), Batch(10, 5, codec)), Chunk(p1, Batch(0, 3, codec))], null));

        List<(int Partition, long Offset, long Value)> read = (await DrainAsync(stream));
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (0, (long)i, (long)i)).Concat(Enumerable.Range(0, 3).Select(i => (1, (long)i, (long)i))), read);
        Assert.Equal(15, p0.Position);
        Assert.Equal(3, p1.Position);
    }

    [Fact]
    public void Exposes_key_headers_timestamp_and_leader_epoch_and_log_append_time()
    {
        (RecordStream stream, FetchBuffer buffer) = NewStream();
        PartitionState state = Partition("t", 0, 0);
        buffer.Add(new FetchedResponse(null, [Chunk(state, Batch(0, 2), Batch(2, 2, logAppendTime: true))], null));

        Assert.True(Move(stream));
        ConsumedRecord first = stream.Current;
        Assert.Equal("t", first.Topic);
        Assert.Equal("k0", Encoding.UTF8.GetString(first.Key.Span));
        Assert.False(first.IsKeyNull);
        Assert.Equal(BaseTimestamp, first.Timestamp);
        Assert.Equal(FastLog.Client.Consumer.TimestampType.CreateTime, first.TimestampType);
        Assert.Equal(7, first.LeaderEpoch);
        KeyValuePair<string, byte[]?> header = Assert.Single(first.Headers.ToList());
        Assert.Equal("h", header.Key);
        Assert.True(first.Headers.TryGetLastValue("h"u8, out ConsumedHeader found));
        Assert.Equal([0], found.Value.ToArray());
        Assert.Equal(1, first.Headers.Count);

        Assert.True(Move(stream));
        Assert.True(Move(stream));
        ConsumedRecord appended = stream.Current;
        Assert.Equal(2, appended.Offset);
        Assert.Equal(FastLog.Client.Consumer.TimestampType.LogAppendTime, appended.TimestampType);
        Assert.Equal(BaseTimestamp + 3, appended.Timestamp); // the batch's max timestamp
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Lz4)]
    public async Task Skips_batches_and_records_before_the_position(CompressionCodec codec)
    {
        (RecordStream stream, FetchBuffer buffer) = NewStream();
        PartitionState state = Partition("t", 0, 13);
        buffer.Add(new FetchedResponse(null, [Chunk(state, Batch(0, 10, codec), Batch(10, 10, codec))], null));

        Assert.Equal(Enumerable.Range(13, 7).Select(i => (long)i), (await DrainAsync(stream)).Select(r => r.Offset));
    }

    [Fact]
    public async Task Skips_control_batches_and_moves_the_position_past_a_trailing_marker()
    {
        (RecordStream stream, FetchBuffer buffer) = NewStream();
        PartitionState state = Partition("t", 0, 0);
        buffer.Add(new FetchedResponse(null, [Chunk(state, Batch(0, 3, producerId: 5, transactional: true), Marker(3, 5, commit: true))], null));

        Assert.Equal([0L, 1, 2], (await DrainAsync(stream)).Select(r => r.Offset));
        Assert.Equal(4, state.Position);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Read_committed_skips_aborted_transactions(bool readCommitted)
    {
        (RecordStream stream, FetchBuffer buffer) = NewStream(readCommitted);
        PartitionState state = Partition("t", 0, 0);
        var aborted = new List<FetchResponse.AbortedTransaction> { new() { ProducerId = 9, FirstOffset = 2 } };
        buffer.Add(new FetchedResponse(
            null,
            [Chunk(
                state,
                aborted,
                Batch(0, 2),
                Batch(2, 2, producerId: 9, transactional: true),
                Batch(4, 2, producerId: 8, transactional: true),
                Marker(6, 9, commit: false),
                Marker(7, 8, commit: true),
                Batch(8, 2, producerId: 9, transactional: true),
                Marker(10, 9, commit: true))],
            null));

        long[] expected = readCommitted ? [0, 1, 4, 5, 8, 9] : [0, 1, 2, 3, 4, 5, 8, 9];
        Assert.Equal(expected, (await DrainAsync(stream)).Select(r => r.Offset));
    }

    [Fact]
    public async Task Drops_chunks_of_partitions_seeked_or_removed_since_the_fetch()
    {
        (RecordStream stream, FetchBuffer buffer) = NewStream();
        PartitionState seeked = Partition("t", 0, 0);
        PartitionState removed = Partition("t", 1, 0);
        PartitionState current = Partition("t", 2, 0);
        var response = new FetchedResponse(null, [Chunk(seeked, Batch(0, 3)), Chunk(removed, Batch(0, 3)), Chunk(current, Batch(0, 3))], null);
        seeked.SeekTo(1);
        removed.Removed = true;
        buffer.Add(response);

        Assert.Equal([2, 2, 2], (await DrainAsync(stream)).Select(r => r.Partition));
    }

    [Fact]
    public void Corrupt_records_fail_with_corrupt_message_and_report_the_partition()
    {
        PartitionState? reported = null;
        (RecordStream stream, FetchBuffer buffer) = NewStream(onCorrupt: s => reported = s);
        PartitionState state = Partition("t", 0, 0);
        byte[] batch = Batch(0, 3);
        batch[^3] ^= 0xFF; // inside the last record: the CRC no longer matches
        buffer.Add(new FetchedResponse(null, [Chunk(state, batch)], null));

        KafkaException error = Assert.Throws<KafkaException>(() => Move(stream));
        Assert.Equal(ErrorCode.CorruptMessage, error.Error);
        Assert.Contains("t-0", error.Message, StringComparison.Ordinal);
        Assert.Same(state, reported);
    }

    [Theory]
    [InlineData(CompressionCodec.None)]
    [InlineData(CompressionCodec.Lz4)]
    public async Task Iterating_allocates_nothing_per_record(CompressionCodec codec)
    {
        (RecordStream stream, FetchBuffer buffer) = NewStream();
        PartitionState state = Partition("t", 0, 0);
        byte[][] batches = [.. Enumerable.Range(0, 20).Select(i => Batch(i * 500L, 500, codec, valueBytes: 100))];
        FetchedChunk chunk = Chunk(state, batches);

        // Warm up (JIT, pooled decompression buffer), then count allocations over 10,000 records.
        buffer.Add(new FetchedResponse(null, [chunk], null));
        Assert.Equal(10_000, (await DrainAsync(stream)).Count);
        state.SeekTo(0);
        var again = new FetchedResponse(null, [new FetchedChunk(state, state.Version, chunk.Buffer, chunk.Start, chunk.End, chunk.NextFetchOffset)], null);
        buffer.Add(again);

        // Exactly the buffered records: one more move would wait for data, which is the slow path.
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        int count = 0;
        for (int i = 0; i < 10_000 && Move(stream); i++)
        {
            ConsumedRecord record = stream.Current;
            sum += record.Offset + record.Value.Length + record.Key.Length;
            count++;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, count);
        Assert.True(sum > 0);
        Assert.Equal(0, allocated);
    }
}
