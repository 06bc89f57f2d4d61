using BenchmarkDotNet.Attributes;
using FastLog.Engine.Log;

namespace FastLog.Bench.Micro;

/// <summary>
/// <see cref="PartitionLog.Append"/> of a 16 KiB batch (100 B values) to a log with no committer:
/// validate + stamp + pwrite into the page cache, no fsync. Every iteration opens a fresh log in a
/// new temp directory and appends <see cref="AppendsPerIteration"/> batches (64 MiB), so disk use
/// stays bounded; the close (with its fsync) and the delete happen outside the measurement.
/// </summary>
[MemoryDiagnoser]
[ThroughputColumn]
[InvocationCount(1)]
public class PartitionLogAppendBenchmarks
{
    private const int AppendsPerIteration = 4096;

    private byte[] _batch = [];
    private string? _directory;
    private PartitionLog? _log;

    [GlobalSetup]
    public void Setup() => _batch = Fixtures.BuildBatch(Fixtures.BatchBytes, 100);

    /// <summary>One 1 GiB segment: no roll inside the measurement.</summary>
    [IterationSetup(Target = nameof(Append_NoRoll))]
    public void OpenLargeSegmentLog() => OpenLog(new LogConfig());

    /// <summary>1 MiB segments: a roll (new .log, .index, .timeindex) every 64 appends, amortised in.</summary>
    [IterationSetup(Target = nameof(Append_RollEvery1MiB))]
    public void OpenSmallSegmentLog() => OpenLog(new LogConfig { SegmentBytes = 1024 * 1024, SegmentIndexBytes = 64 * 1024 });

    [IterationCleanup]
    public void CloseLog()
    {
        _log?.Close();
        _log = null;
        Fixtures.DeleteDirectory(_directory);
        _directory = null;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = AppendsPerIteration)]
    [BytesPerOperation(Fixtures.BatchBytes)]
    public long Append_NoRoll() => AppendMany();

    [Benchmark(OperationsPerInvoke = AppendsPerIteration)]
    [BytesPerOperation(Fixtures.BatchBytes)]
    public long Append_RollEvery1MiB() => AppendMany();

    private long AppendMany()
    {
        var log = _log!;
        long last = 0;
        for (int i = 0; i < AppendsPerIteration; i++)
        {
            var result = log.Append(_batch, 0);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"append failed: {result.Status} {result.BatchError}");
            }

            last = result.LastOffset;
        }

        return last;
    }

    private void OpenLog(LogConfig config)
    {
        _directory = Fixtures.CreateTempDirectory("append");
        _log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _directory,
            TopicPartition = new TopicPartition("bench", 0),
            Config = config,
        });
    }
}
