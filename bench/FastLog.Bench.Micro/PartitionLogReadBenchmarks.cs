using BenchmarkDotNet.Attributes;
using FastLog.Engine.Log;
using FastLog.Engine.Segments;

namespace FastLog.Bench.Micro;

/// <summary>
/// The fetch path over a 16 MiB single-segment log (1,024 batches of 16 KiB, 100 B values, in the
/// page cache): <see cref="PartitionLog.Read"/> = segment floor + the batch lookup into a
/// <see cref="FileSlice"/>: from the active segment's recent-batch window near the tail (no file
/// read), else offset-index lookup + header scan (pread of 4 KiB chunks); and
/// <see cref="FileSlice.CopyTo"/>, the copy that replaces sendfile for small slices (one 16 KiB pread).
/// </summary>
[MemoryDiagnoser]
[ThroughputColumn]
public class PartitionLogReadBenchmarks
{
    private const int Batches = 1024;

    private readonly byte[] _buffer = new byte[Fixtures.BatchBytes];
    private string? _directory;
    private PartitionLog? _log;
    private long _middleOffset;
    private long _tailOffset;
    private FileSlice _slice;

    [GlobalSetup]
    public void Setup()
    {
        var batch = Fixtures.BuildBatch(Fixtures.BatchBytes, 100);
        _directory = Fixtures.CreateTempDirectory("read");
        _log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _directory,
            TopicPartition = new TopicPartition("bench", 0),
        });

        AppendResult middle = default;
        AppendResult last = default;
        for (int i = 0; i < Batches; i++)
        {
            last = _log.Append(batch, 0);
            if (i == Batches / 2)
            {
                middle = last;
            }
        }

        // Targets inside a batch, not at its first offset, so the scan must find the holding batch.
        _middleOffset = (middle.BaseOffset + middle.LastOffset) / 2;
        _tailOffset = (last.BaseOffset + last.LastOffset) / 2;
        _slice = _log.Read(_middleOffset, Fixtures.BatchBytes, long.MaxValue).Slice;
        if (_slice.LengthBytes != Fixtures.BatchBytes || _slice.CopyTo(_buffer) != Fixtures.BatchBytes)
        {
            throw new InvalidOperationException($"unexpected slice {_slice}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log?.Close();
        Fixtures.DeleteDirectory(_directory);
    }

    /// <summary>A consumer that keeps up: the last batch, found in the recent-batch window.</summary>
    [Benchmark(Baseline = true)]
    public int Read_Tail() => _log!.Read(_tailOffset, Fixtures.BatchBytes, long.MaxValue).Slice.LengthBytes;

    /// <summary>A lagging consumer: a batch in the middle of the segment.</summary>
    [Benchmark]
    public int Read_Middle() => _log!.Read(_middleOffset, Fixtures.BatchBytes, long.MaxValue).Slice.LengthBytes;

    /// <summary>Reading bounded by a high watermark below the log end: a second lookup for the limit (near the tail, so from the window).</summary>
    [Benchmark]
    public int Read_Middle_BelowHighWatermark() => _log!.Read(_middleOffset, Fixtures.BatchBytes, _tailOffset).Slice.LengthBytes;

    [Benchmark]
    [BytesPerOperation(Fixtures.BatchBytes)]
    public int FileSlice_CopyTo() => _slice.CopyTo(_buffer);
}
