using BenchmarkDotNet.Attributes;
using FastLog.Format;

namespace FastLog.Bench.Micro;

/// <summary>
/// Walking every record of an uncompressed 16 KiB batch (consumer-side decode; the broker's append
/// path does not do this). Unlike validation, the cost grows with the record count.
/// </summary>
[MemoryDiagnoser]
[ThroughputColumn]
public class RecordIterationBenchmarks
{
    private byte[] _batch = [];
    private int _recordsCount;

    [Params(100, 1024)]
    public int ValueBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = Fixtures.BuildBatch(Fixtures.BatchBytes, ValueBytes);
        _recordsCount = new RecordBatchHeader(_batch).RecordsCount;
    }

    /// <summary>Through <see cref="RecordBatchReader"/>: absolute offsets and timestamps.</summary>
    [Benchmark(Baseline = true)]
    [BytesPerOperation(Fixtures.BatchBytes)]
    public long BatchReader()
    {
        var reader = new RecordBatchReader(_batch, null, int.MaxValue);
        long sum = 0;
        foreach (var record in reader.GetRecords())
        {
            sum += record.Offset + record.Timestamp + record.Value.Length;
        }

        return sum;
    }

    /// <summary>Straight <see cref="RecordReader"/> over the records region with the declared count.</summary>
    [Benchmark]
    [BytesPerOperation(Fixtures.BatchBytes)]
    public long RecordReaderOnly()
    {
        long sum = 0;
        foreach (var record in new RecordReader(_batch.AsSpan(RecordBatchLayout.RecordsOffset), _recordsCount))
        {
            sum += record.OffsetDelta + record.Value.Length;
        }

        return sum;
    }
}
