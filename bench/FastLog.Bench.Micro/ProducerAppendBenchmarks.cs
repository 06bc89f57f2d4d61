using BenchmarkDotNet.Attributes;
using FastLog.Client.Producer;
using FastLog.Client.Serialization;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLog.Bench.Micro;

/// <summary>
/// The client producer's hot path without a network: <see cref="KafkaProducer{TKey, TValue}"/>'s public
/// <c>Produce</c>/<c>ProduceAsync</c> (serialize, partition, encode into the partition's pooled batch) for
/// <see cref="RecordsPerInvoke"/> records, then what the sender does to each batch (seal: header, compression,
/// CRC-32C) and what an answer does (complete every record, recycle batch, buffers and delivery sources). One
/// operation is one record; the budget is 0 bytes: nothing on this path may allocate per record, including the
/// <c>ValueTask</c> a <c>ProduceAsync</c> caller awaits.
/// </summary>
[MemoryDiagnoser]
public class ProducerAppendBenchmarks
{
    private const int RecordsPerInvoke = 1000;
    private const string Topic = "bench";

    private KafkaProducer<byte[]?, byte[]> _producer = null!;
    private Message<byte[]?, byte[]> _message = null!;
    private byte[][] _keys = [];
    private ValueTask<DeliveryResult>[] _deliveries = [];

    [Params(100, 1024)]
    public int ValueBytes { get; set; }

    [Params(CompressionType.None, CompressionType.Lz4)]
    public CompressionType Compression { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new ProducerOptions
        {
            // Never contacted: the sender does not run in this benchmark.
            BootstrapServers = "127.0.0.1:9",
            Compression = Compression,
            BatchSize = 2 * 1024 * 1024,
            MaxRequestSize = 4 * 1024 * 1024,
            BufferMemory = 64L * 1024 * 1024,
        };
        _producer = new KafkaProducer<byte[]?, byte[]>(options, null, null, startBackground: false);
        _producer.Accumulator.EnsureTopic(Topic, 4);
        // Text-like values LZ4 does shrink (random bytes would not, and the producer would then skip the codec).
        _message = new Message<byte[]?, byte[]> { Value = CompressibleValue(ValueBytes) };
        _keys = [.. Enumerable.Range(0, 64).Select(i => Fixtures.RandomBytes(16, seed: i))];
        _deliveries = new ValueTask<DeliveryResult>[RecordsPerInvoke];

        // Grow the pools, slots and scratch to their steady-state sizes before anything is measured.
        for (int i = 0; i < 3; i++)
        {
            Produce();
            ProduceAsync();
            ProduceKeyed();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _producer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Fire-and-forget <c>Produce</c> to one partition, then seal and complete the batch.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = RecordsPerInvoke)]
    public long Produce()
    {
        _message.Key = null;
        for (int i = 0; i < RecordsPerInvoke; i++)
        {
            _producer.Produce(Topic, 0, _message);
        }

        return SealAndComplete();
    }

    /// <summary><c>ProduceAsync</c>: each record's ValueTask (a pooled source of its batch) is read after the batch completes.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerInvoke)]
    public long ProduceAsync()
    {
        _message.Key = null;
        for (int i = 0; i < RecordsPerInvoke; i++)
        {
#pragma warning disable CA2012 // Each ValueTask is kept until its batch completes and then read exactly once.
            _deliveries[i] = _producer.ProduceAsync(Topic, 0, _message);
#pragma warning restore CA2012
        }

        long sum = SealAndComplete();
        for (int i = 0; i < RecordsPerInvoke; i++)
        {
            sum += _deliveries[i].GetAwaiter().GetResult().Partition;
        }

        return sum;
    }

    /// <summary>Keyed records spread by murmur2 over four partitions: one batch per partition.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerInvoke)]
    public long ProduceKeyed()
    {
        for (int i = 0; i < RecordsPerInvoke; i++)
        {
            _message.Key = _keys[i & 63];
            _producer.Produce(Topic, _message);
        }

        return SealAndComplete();
    }

    private static byte[] CompressibleValue(int length)
    {
        var random = new Random(length);
        string[] words = ["\"id\":", "\"name\":", "\"order\"", "\"price\":", "true", "false", "null", ", ", "{", "}"];
        var value = new byte[length];
        int position = 0;
        while (position < length)
        {
            string word = words[random.Next(words.Length)] + random.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < word.Length && position < length; i++)
            {
                value[position++] = (byte)word[i];
            }
        }

        return value;
    }

    /// <summary>What the sender and a successful answer do to every open batch.</summary>
    private long SealAndComplete()
    {
        RecordAccumulator accumulator = _producer.Accumulator;
        long bytes = 0;
        foreach (PartitionQueue queue in accumulator.Partitions)
        {
            while (true)
            {
                ProducerBatch? batch = null;
                lock (queue.Gate)
                {
                    queue.CloseOpen();
                    if (queue.Ready.Count > 0)
                    {
                        batch = queue.Ready.RemoveFirst();
                    }

                    queue.UpdateQueued();
                }

                if (batch is null)
                {
                    break;
                }

                bytes += batch.Seal(Compression).Length;
                accumulator.Memory.Release(batch.ReservedBytes);
                batch.Complete(baseOffset: 0, logAppendTimeMs: -1, error: null, NullLogger.Instance);
                accumulator.EndWork();
            }
        }

        return bytes;
    }
}
