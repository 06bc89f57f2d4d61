using FastLog.Engine.Commit;
using FastLog.Engine.Log;
using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Log;

/// <summary>
/// The hot paths allocate nothing: append (validate, stamp, write, index), read (lookup, scan,
/// slice, copy) and waiting for an offset that is already durable. Measured per thread after
/// warm-up, so JIT and first-touch allocations are excluded; the cheap per-commit stand-in for the
/// MemoryDiagnoser benchmarks in bench/.
/// </summary>
public sealed class AllocationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Append_read_and_durable_wait_allocate_nothing()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "alloc");
        using var log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = _dir.Combine("alloc-0"),
            TopicPartition = new TopicPartition("alloc", 0),
            Config = new LogConfig { IndexIntervalBytes = 1024 },
            Committer = committer,
        });
        byte[] batch = TestBatches.Create(20, 100, 1_700_000_000_000, 0);
        var buffer = new byte[64 * 1024];

        void Cycle(int iterations)
        {
            for (int i = 0; i < iterations; i++)
            {
                var result = log.Append(batch, 0);
                Assert.True(result.IsSuccess);
                var read = log.Read(Math.Max(0, result.BaseOffset - (i % 5 * 20)), 16 * 1024, long.MaxValue);
                read.Slice.CopyTo(buffer);
            }
        }

        Cycle(200);
        log.Flush();
        Assert.True(CompletedSynchronously(log.WaitForDurableAsync(log.LogEndOffset)));

        long before = GC.GetAllocatedBytesForCurrentThread();
        Cycle(2000);
        long afterAppends = GC.GetAllocatedBytesForCurrentThread();
        log.Flush();
        long beforeWait = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(CompletedSynchronously(log.WaitForDurableAsync(log.LogEndOffset)));
        }

        long afterWait = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, afterAppends - before);
        Assert.Equal(0, afterWait - beforeWait);
    }

    /// <summary>Consumes the ValueTask exactly once, as it must be.</summary>
    private static bool CompletedSynchronously(ValueTask wait) => wait.IsCompletedSuccessfully;
}
