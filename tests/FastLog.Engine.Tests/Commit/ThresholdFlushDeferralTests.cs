using FastLog.Engine.Commit;

namespace FastLog.Engine.Tests.Commit;

// The scopes are per thread, so each test keeps them on its own thread: no await while one is open.
public sealed class ThresholdFlushDeferralTests
{
    // Only a guard against a hung test run; no test asserts on how long anything takes.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Threshold_flushes_inside_a_scope_wait_for_its_end_then_come_once_per_tracker()
    {
        using var committer = new GroupCommitter(CommitPolicy.EveryMessages(1), TimeProvider.System, "deferred");
        using var journal = new FakeFlushable();
        using var partition = new FakeFlushable();
        var journalTracker = committer.Register(journal, 0);
        var partitionTracker = committer.Register(partition, 0);
        var barrier = new CommitterBarrier(committer);

        using (ThresholdFlushDeferral.Begin())
        {
            // A request's 16 partitions, every one past the journal's threshold of one message.
            for (int i = 0; i < 16; i++)
            {
                journalTracker.NotifyAppended(journal.Append(1), 1);
            }

            partitionTracker.NotifyAppended(partition.Append(2), 2);
            Assert.True(ThresholdFlushDeferral.IsActive);
            barrier.Pass();
            Assert.Equal(0, journal.FlushCalls);
            Assert.Equal(0, partition.FlushCalls);
        }

        Assert.False(ThresholdFlushDeferral.IsActive);
        await barrier.PassAsync();
        Assert.Equal(1, journal.FlushCalls);
        Assert.Equal(16, journalTracker.DurableEndOffset);
        Assert.Equal(1, partition.FlushCalls);
        Assert.Equal(2, partitionTracker.DurableEndOffset);

        // Outside a scope the threshold asks at once again.
        journalTracker.NotifyAppended(journal.Append(1), 1);
        await journalTracker.WaitForDurableAsync(17).AsTask().WaitAsync(Hang);
        Assert.Equal(2, journal.FlushCalls);
    }

    [Fact]
    public async Task Only_the_outermost_scope_asks_for_the_flushes()
    {
        using var committer = new GroupCommitter(CommitPolicy.EveryMessages(1), TimeProvider.System, "nested");
        using var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        var barrier = new CommitterBarrier(committer);

        using (ThresholdFlushDeferral.Begin())
        {
            using (ThresholdFlushDeferral.Begin())
            {
                tracker.NotifyAppended(log.Append(3), 3);
            }

            Assert.True(ThresholdFlushDeferral.IsActive);
            barrier.Pass();
            Assert.Equal(0, log.FlushCalls);
        }

        await barrier.PassAsync();
        Assert.Equal(1, log.FlushCalls);
        Assert.Equal(3, tracker.DurableEndOffset);
    }

    [Fact]
    public async Task A_waiter_inside_a_scope_is_not_held_back()
    {
        using var committer = new GroupCommitter(CommitPolicy.EveryMessages(1_000), TimeProvider.System, "waiter");
        using var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        var barrier = new CommitterBarrier(committer);
        Task wait;

        using (ThresholdFlushDeferral.Begin())
        {
            tracker.NotifyAppended(log.Append(2), 2);
            wait = tracker.WaitForDurableAsync(2).AsTask();
            barrier.Pass();
            Assert.Equal(1, log.FlushCalls);
            Assert.Equal(2, tracker.DurableEndOffset);
        }

        await wait.WaitAsync(Hang);
    }

    [Fact]
    public void Another_threads_appends_are_not_held_back_by_this_threads_scope()
    {
        using var committer = new GroupCommitter(CommitPolicy.EveryMessages(1), TimeProvider.System, "other-thread");
        using var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        var barrier = new CommitterBarrier(committer);

        using (ThresholdFlushDeferral.Begin())
        {
            var appender = new Thread(() => tracker.NotifyAppended(log.Append(1), 1));
            appender.Start();
            appender.Join();
            barrier.Pass();
            Assert.Equal(1, log.FlushCalls);
        }
    }
}
