using BenchmarkDotNet.Attributes;
using FastLog.Format;

namespace FastLog.Bench.Micro;

/// <summary>Reading header fields through the zero-copy <see cref="RecordBatchHeader"/> view.</summary>
[MemoryDiagnoser]
public class RecordBatchHeaderBenchmarks
{
    private byte[] _batch = [];

    [GlobalSetup]
    public void Setup() => _batch = Fixtures.BuildBatch(Fixtures.BatchBytes, 100);

    /// <summary>The fields the append path reads: size, last offset delta, max timestamp.</summary>
    [Benchmark(Baseline = true)]
    public long AppendPathFields()
    {
        var header = new RecordBatchHeader(_batch);
        return header.SizeInBytes + header.LastOffsetDelta + header.MaxTimestamp;
    }

    /// <summary>Every header field once (big-endian decode of each).</summary>
    [Benchmark]
    public long AllFields()
    {
        var header = new RecordBatchHeader(_batch);
        return header.BaseOffset + header.BatchLength + header.PartitionLeaderEpoch + header.Magic + header.Crc
            + (int)header.Attributes + header.LastOffsetDelta + header.BaseTimestamp + header.MaxTimestamp
            + header.ProducerId + header.ProducerEpoch + header.BaseSequence + header.RecordsCount;
    }

    /// <summary>The size peek used to frame batches in a byte stream.</summary>
    [Benchmark]
    public int PeekSizeInBytes() => RecordBatchHeader.PeekSizeInBytes(_batch);
}
