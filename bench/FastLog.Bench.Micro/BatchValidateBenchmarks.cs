using BenchmarkDotNet.Attributes;
using FastLog.Format;

namespace FastLog.Bench.Micro;

/// <summary>
/// Append-path validation of one 16 KiB batch, with small and large records: the cost is one CRC
/// pass over the bytes, so both record sizes should cost the same.
/// </summary>
[MemoryDiagnoser]
[ThroughputColumn]
public class BatchValidateBenchmarks
{
    private byte[] _batch = [];

    /// <summary>Value size of every record; 100 B gives ~150 records per batch, 1 KiB ~16.</summary>
    [Params(100, 1024)]
    public int ValueBytes { get; set; }

    public int RecordCount { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = Fixtures.BuildBatch(Fixtures.BatchBytes, ValueBytes);
        RecordCount = new RecordBatchHeader(_batch).RecordsCount;
    }

    [Benchmark(Baseline = true)]
    [BytesPerOperation(Fixtures.BatchBytes)]
    public int Validate()
    {
        var error = RecordBatchValidator.Validate(_batch, int.MaxValue, out int size);
        return error == RecordBatchError.None ? size : -1;
    }

    /// <summary>Everything but the CRC: constant time.</summary>
    [Benchmark]
    public int ValidateHeader()
    {
        var error = RecordBatchValidator.ValidateHeader(_batch, out int size);
        return error == RecordBatchError.None ? size : -1;
    }
}
