using System.Text;
using BenchmarkDotNet.Attributes;
using FastLog.Client.Consumer;
using FastLog.Format;

namespace FastLog.Bench.Micro;

/// <summary>
/// The consumer's per-record path: <see cref="RecordStream"/> walking a prebuilt fetch chunk of 16 batches × 512
/// records (about one <c>max.partition.fetch.bytes</c> of 100-byte records), exactly as it walks a leased fetch
/// frame, decompressing LZ4 batches into its pooled buffer. <c>OperationsPerInvoke</c> makes every column per
/// record, so "Allocated" is bytes per record and must stay 0.
/// </summary>
/// <remarks>
/// Two responses (for two partitions) take turns so each invocation starts a fresh chunk without allocating:
/// the stream finishes the previous partition's chunk when it moves into the next one.
/// </remarks>
[MemoryDiagnoser]
public class ConsumerIterationBenchmarks
{
    private const int BatchesPerFetch = 16;
    private const int RecordsPerBatch = 512;
    private const int RecordsPerFetch = BatchesPerFetch * RecordsPerBatch;

    private readonly PartitionState[] _states = [new(new TopicPartition("bench", 0)), new(new TopicPartition("bench", 1))];
    private readonly FetchedResponse[] _responses = new FetchedResponse[2];
    private FetchBuffer _buffer = null!;
    private RecordStream _stream = null!;
    private int _next;

    [Params(100, 1024)]
    public int ValueBytes { get; set; }

    [Params(CompressionCodec.None, CompressionCodec.Lz4)]
    public CompressionCodec Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] chunk = BuildChunk(ValueBytes, Codec, out long nextOffset);
        var signals = new ConsumerSignals();
        _buffer = new FetchBuffer(signals);
        _stream = new RecordStream(_buffer, signals, _ => ValueTask.FromResult(true), checkCrcs: false, readCommitted: false);
        for (int i = 0; i < 2; i++)
        {
            _states[i].SeekTo(0);
            _responses[i] = new FetchedResponse(null, [new FetchedChunk(_states[i], _states[i].Version, chunk, 0, chunk.Length, nextOffset)], null);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _stream.Dispose();

    /// <summary>One fetch's worth of records: move, then read offset, key and value of each.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerFetch)]
    public long IterateRecords()
    {
        int which = _next;
        _next ^= 1;
        _states[which].Position = 0;
        _buffer.Add(_responses[which]);
        long sum = 0;
        for (int i = 0; i < RecordsPerFetch; i++)
        {
            ValueTask<bool> move = _stream.MoveNextAsync(CancellationToken.None);
            if (!move.IsCompleted || !move.Result)
            {
                throw new InvalidOperationException("the prebuilt chunk ran out");
            }

            ConsumedRecord record = _stream.Current;
            sum += record.Offset + record.KeySpan.Length + record.ValueSpan[0];
        }

        return sum;
    }

    /// <summary>Batches of keyed records with one header, as a Kafka producer writes them, back to back.</summary>
    private static byte[] BuildChunk(int valueBytes, CompressionCodec codec, out long nextOffset)
    {
        var random = new Random(7);
        var chunk = new List<byte>();
        long offset = 0;
        RecordHeader[] headers = [new("trace", [1, 2, 3, 4])];
        for (int b = 0; b < BatchesPerFetch; b++)
        {
            using var builder = new RecordBatchBuilder { BaseOffset = offset, Compression = codec };
            for (int r = 0; r < RecordsPerBatch; r++, offset++)
            {
                byte[] value = new byte[valueBytes];
                for (int i = 0; i < value.Length; i++)
                {
                    value[i] = (byte)('A' + random.Next(26));
                }

                builder.Append(Fixtures.BaseTimestampMs + offset, Encoding.UTF8.GetBytes("key-" + offset), value, headers);
            }

            chunk.AddRange(builder.Build());
        }

        nextOffset = offset;
        return [.. chunk];
    }
}
