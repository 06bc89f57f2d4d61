using FastLog.Engine.Commit;

namespace FastLog.Engine.Tests.Commit;

/// <summary>
/// A partition of its own whose explicit flush queues behind everything already scheduled on the
/// committer: once its wait completes, earlier requests have been handled. It passes twice, so a
/// tick taken in the same flusher round as the first pass has been handled too. Lets a test check
/// that nothing happened without sleeping.
/// </summary>
internal sealed class CommitterBarrier
{
    // Only a guard against a hung test run; no test asserts on how long anything takes.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    private readonly BarrierLog _log = new();
    private readonly CommitTracker _tracker;

    public CommitterBarrier(GroupCommitter committer) => _tracker = committer.Register(_log, 0);

    public async Task PassAsync()
    {
        for (int pass = 0; pass < 2; pass++)
        {
            await StartPass().WaitAsync(Hang);
        }
    }

    /// <summary>
    /// As <see cref="PassAsync"/>, blocking the calling thread: for a test that must stay on its thread
    /// (a <see cref="ThresholdFlushDeferral"/> scope is per thread).
    /// </summary>
    public void Pass()
    {
        for (int pass = 0; pass < 2; pass++)
        {
            Assert.True(StartPass().Wait(Hang), "the barrier's flush never came");
        }
    }

    private Task StartPass()
    {
        // No messages counted: the barrier's flush is its explicit request, under any policy and inside a deferral.
        long end = Interlocked.Increment(ref _log.End);
        _tracker.NotifyAppended(end, 0);
        var wait = _tracker.WaitForDurableAsync(end).AsTask();
        _tracker.RequestFlush();
        return wait;
    }

    private sealed class BarrierLog : IFlushable
    {
        public long End;

        public long FlushToDisk() => Volatile.Read(ref End);
    }
}
