using BenchmarkDotNet.Attributes;
using FastLog.Engine.Commit;
using FastLog.Engine.Log;

namespace FastLog.Bench.Micro;

/// <summary>
/// <see cref="PartitionLog.WaitForDurableAsync"/> for an offset that is already durable, on a log
/// registered with a <see cref="GroupCommitter"/>: the acks=all fast path once the fsync is done.
/// It must complete synchronously and allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class DurableWaitBenchmarks : IDisposable
{
    private string? _directory;
    private GroupCommitter? _committer;
    private PartitionLog? _log;
    private long _durableEnd;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Fixtures.CreateTempDirectory("durable");
        _committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "bench");
        _log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _directory,
            TopicPartition = new TopicPartition("bench", 0),
            Committer = _committer,
        });

        var batch = Fixtures.BuildBatch(Fixtures.BatchBytes, 100);
        _durableEnd = _log.Append(batch, 0).EndOffset;
        _log.WaitForDurableAsync(_durableEnd).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log?.Close();
        _log = null;
        _committer?.Dispose();
        _committer = null;
        Fixtures.DeleteDirectory(_directory);
        _directory = null;
    }

    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public bool WaitForDurable_AlreadyDurable()
    {
        var wait = _log!.WaitForDurableAsync(_durableEnd);
        if (wait.IsCompletedSuccessfully)
        {
            return true;
        }

        // Not the fast path: wait properly (and let the allocation column show it).
        wait.AsTask().GetAwaiter().GetResult();
        return false;
    }
}
