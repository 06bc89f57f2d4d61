using FastLog.Engine.Commit;

using FastLog.Engine.Tests.Support;

namespace FastLog.Engine.Tests.Commit;

public sealed class GroupCommitterTests
{
    // Only a guard against a hung test run; no test asserts on how long anything takes.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Immediate_completes_a_waiter_only_after_a_flush_covering_it()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "immediate");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, durableEndOffset: 0);

        log.CloseGate();
        tracker.NotifyAppended(log.Append(10), 10);
        var wait = tracker.WaitForDurableAsync(10).AsTask();

        await log.WaitForFlushStartAsync();
        Assert.False(wait.IsCompleted); // the fsync has not returned yet
        Assert.Equal(0, tracker.DurableEndOffset);

        log.OpenGate();
        await wait.WaitAsync(Hang);
        Assert.Equal(10, tracker.DurableEndOffset);
        Assert.Equal(1, log.FlushCalls);
        Assert.Equal(1, committer.CompletedWaiterCount);
    }

    [Fact]
    public async Task Waiters_arriving_during_a_slow_flush_share_one_following_flush()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "coalesce");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);

        log.CloseGate();
        tracker.NotifyAppended(log.Append(1), 1);
        var first = tracker.WaitForDurableAsync(1).AsTask();
        await log.WaitForFlushStartAsync(); // flush 1 captured end 1 and is "syncing"

        var later = new List<Task>();
        for (int i = 0; i < 50; i++)
        {
            long end = log.Append(1);
            tracker.NotifyAppended(end, 1);
            later.Add(tracker.WaitForDurableAsync(end).AsTask());
        }

        Assert.All(later, t => Assert.False(t.IsCompleted));
        log.OpenGate();
        await first.WaitAsync(Hang);
        await Task.WhenAll(later).WaitAsync(Hang);

        Assert.Equal(2, log.FlushCalls);
        Assert.Equal(2, committer.FlushCount);
        Assert.Equal(51, tracker.DurableEndOffset);
        Assert.Equal(51, committer.CompletedWaiterCount);
    }

    [Fact]
    public void Already_durable_offsets_complete_synchronously_without_a_flush()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "fast");
        var log = new FakeFlushable { End = 100 };
        var tracker = committer.Register(log, durableEndOffset: 100);

        Assert.True(IsDurableAlready(tracker.WaitForDurableAsync(100)));
        Assert.True(IsDurableAlready(tracker.WaitForDurableAsync(0)));
        Assert.Equal(0, log.FlushCalls);
        Assert.Equal(0, committer.FlushCount);
    }

    [Fact]
    public async Task Many_concurrent_waiters_on_several_partitions_all_complete_with_far_fewer_flushes()
    {
        const int Partitions = 4;
        const int WorkersPerPartition = 8;
        const int AppendsPerWorker = 100;
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "load");
        var logs = new FakeFlushable[Partitions];
        var trackers = new CommitTracker[Partitions];
        for (int p = 0; p < Partitions; p++)
        {
            // A real fsync takes time; without that, flushes would be as cheap as waits and nothing to share.
            logs[p] = new FakeFlushable { SyncDelay = TimeSpan.FromMilliseconds(1) };
            trackers[p] = committer.Register(logs[p], 0);
        }

        var workers = new List<Task>();
        for (int p = 0; p < Partitions; p++)
        {
            var log = logs[p];
            var tracker = trackers[p];
            for (int w = 0; w < WorkersPerPartition; w++)
            {
                workers.Add(Task.Run(async () =>
                {
                    for (int i = 0; i < AppendsPerWorker; i++)
                    {
                        long end = log.Append(1);
                        tracker.NotifyAppended(end, 1);
                        await tracker.WaitForDurableAsync(end);
                        Assert.True(tracker.DurableEndOffset >= end);
                    }
                }));
            }
        }

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2));

        const int Waits = Partitions * WorkersPerPartition * AppendsPerWorker;
        for (int p = 0; p < Partitions; p++)
        {
            Assert.Equal(WorkersPerPartition * AppendsPerWorker, trackers[p].DurableEndOffset);
        }

        Assert.True(committer.FlushCount < Waits / 2, $"{committer.FlushCount} flushes for {Waits} waits");
        Assert.True(committer.CompletedWaiterCount <= Waits);
    }

    [Fact]
    public async Task EveryMessages_flushes_when_the_threshold_is_reached_and_not_before()
    {
        using var committer = new GroupCommitter(CommitPolicy.EveryMessages(10), TimeProvider.System, "messages");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        var barrier = new CommitterBarrier(committer);

        for (int i = 0; i < 9; i++)
        {
            tracker.NotifyAppended(log.Append(1), 1);
        }

        await barrier.PassAsync(); // anything scheduled so far has been handled
        Assert.Equal(0, log.FlushCalls); // nobody waits and the threshold is not reached

        tracker.NotifyAppended(log.Append(1), 1); // the 10th message
        await tracker.WaitForDurableAsync(10).AsTask().WaitAsync(Hang);
        Assert.Equal(1, log.FlushCalls);
        Assert.Equal(10, tracker.DurableEndOffset);

        // The count restarted: 9 more do not flush, a batch of 3 crossing 10 does.
        for (int i = 0; i < 9; i++)
        {
            tracker.NotifyAppended(log.Append(1), 1);
        }

        await barrier.PassAsync();
        Assert.Equal(1, log.FlushCalls);
        tracker.NotifyAppended(log.Append(3), 3);
        await barrier.PassAsync();
        Assert.Equal(2, log.FlushCalls);
        Assert.Equal(22, tracker.DurableEndOffset);
    }

    [Fact]
    public async Task EveryMessages_still_flushes_for_a_waiter_below_the_threshold()
    {
        // An acks=all producer on a quiet partition: the threshold may never come, the answer must.
        using var committer = new GroupCommitter(CommitPolicy.EveryMessages(1_000_000), TimeProvider.System, "messages-waiter");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        tracker.NotifyAppended(log.Append(3), 3);

        await tracker.WaitForDurableAsync(3).AsTask().WaitAsync(Hang);
        Assert.Equal(1, log.FlushCalls);
        Assert.Equal(3, tracker.DurableEndOffset);
    }

    [Fact]
    public async Task RequestFlush_flushes_regardless_of_policy()
    {
        using var committer = new GroupCommitter(CommitPolicy.EveryInterval(TimeSpan.FromHours(1)), TimeProvider.System, "request");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        tracker.NotifyAppended(log.Append(3), 3);

        var wait = tracker.WaitForDurableAsync(3).AsTask();
        tracker.RequestFlush();
        await wait.WaitAsync(Hang);
        Assert.Equal(1, log.FlushCalls);
    }

    [Fact]
    public async Task EveryInterval_flushes_dirty_partitions_on_each_tick()
    {
        var time = new ManualTimeProvider();
        using var committer = new GroupCommitter(CommitPolicy.EveryInterval(TimeSpan.FromMilliseconds(100)), time, "interval");
        var dirty = new FakeFlushable();
        var clean = new FakeFlushable { End = 7 };
        var dirtyTracker = committer.Register(dirty, 0);
        committer.Register(clean, 7);
        var barrier = new CommitterBarrier(committer);

        dirtyTracker.NotifyAppended(dirty.Append(4), 4);
        var wait = dirtyTracker.WaitForDurableAsync(4).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(99));
        await barrier.PassAsync();
        Assert.False(wait.IsCompleted);
        Assert.Equal(0, dirty.FlushCalls);

        time.Advance(TimeSpan.FromMilliseconds(1)); // the tick
        await wait.WaitAsync(Hang);
        Assert.Equal(1, dirty.FlushCalls);
        Assert.Equal(4, dirtyTracker.DurableEndOffset);

        // A later tick with nothing dirty flushes nobody.
        time.Advance(TimeSpan.FromMilliseconds(100));
        await barrier.PassAsync();
        Assert.Equal(1, dirty.FlushCalls);
        Assert.Equal(0, clean.FlushCalls);
    }

    [Fact]
    public async Task EveryInterval_works_with_the_system_clock()
    {
        await using var committer = new GroupCommitter(CommitPolicy.EveryInterval(TimeSpan.FromMilliseconds(10)), TimeProvider.System, "interval-real");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        tracker.NotifyAppended(log.Append(1), 1);
        await tracker.WaitForDurableAsync(1).AsTask().WaitAsync(Hang);
        Assert.True(log.FlushCalls >= 1);
    }

    [Fact]
    public async Task A_failed_flush_faults_its_waiters_and_every_later_wait_without_retrying()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "failure");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        tracker.NotifyAppended(log.Append(5), 5);
        await tracker.WaitForDurableAsync(5).AsTask().WaitAsync(Hang);

        var failure = new IOException("EIO");
        log.FailWith = failure;
        tracker.NotifyAppended(log.Append(5), 5);
        var first = tracker.WaitForDurableAsync(8).AsTask();
        var second = tracker.WaitForDurableAsync(10).AsTask();
        Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => first.WaitAsync(Hang)));
        Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => second.WaitAsync(Hang)));

        log.FailWith = null; // even if the disk "recovers", the lost pages are not trusted again
        tracker.NotifyAppended(log.Append(1), 1);
        var later = tracker.WaitForDurableAsync(11).AsTask();
        Assert.True(later.IsFaulted);
        Assert.Same(failure, await Assert.ThrowsAsync<IOException>(() => later));
        tracker.RequestFlush();
        await new CommitterBarrier(committer).PassAsync();

        Assert.True(tracker.IsFaulted);
        Assert.Equal(2, log.FlushCalls);
        Assert.Equal(5, tracker.DurableEndOffset);
        Assert.True(IsDurableAlready(tracker.WaitForDurableAsync(5))); // what was durable stays durable
    }

    [Fact]
    public async Task A_flush_failure_of_one_partition_does_not_affect_another()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "isolation");
        var bad = new FakeFlushable { FailWith = new IOException("EIO") };
        var good = new FakeFlushable();
        var badTracker = committer.Register(bad, 0);
        var goodTracker = committer.Register(good, 0);

        badTracker.NotifyAppended(bad.Append(1), 1);
        await Assert.ThrowsAsync<IOException>(() => badTracker.WaitForDurableAsync(1).AsTask().WaitAsync(Hang));
        goodTracker.NotifyAppended(good.Append(1), 1);
        await goodTracker.WaitForDurableAsync(1).AsTask().WaitAsync(Hang);
    }

    [Fact]
    public async Task Cancellation_cancels_only_the_cancelled_waiter_and_the_pool_keeps_working()
    {
        using var committer = new GroupCommitter(CommitPolicy.EveryInterval(TimeSpan.FromHours(1)), TimeProvider.System, "cancel");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);

        for (int round = 0; round < 200; round++)
        {
            long end = log.Append(2);
            tracker.NotifyAppended(end, 2);
            using var cts = new CancellationTokenSource();
            var cancelled = tracker.WaitForDurableAsync(end, cts.Token).AsTask();
            var kept = tracker.WaitForDurableAsync(end - 1).AsTask();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);

            tracker.RequestFlush();
            await kept.WaitAsync(Hang);
            Assert.Equal(end, tracker.DurableEndOffset);
        }

        Assert.Equal(200, log.FlushCalls);
        Assert.Equal(200, committer.CompletedWaiterCount);
    }

    [Fact]
    public async Task Cancellation_racing_with_completion_settles_every_waiter_exactly_once()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "cancel-race");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        int succeeded = 0;
        int cancelled = 0;

        for (int round = 0; round < 2000; round++)
        {
            long end = log.Append(1);
            tracker.NotifyAppended(end, 1);
            using var cts = new CancellationTokenSource();
            var wait = tracker.WaitForDurableAsync(end, cts.Token).AsTask();
            cts.Cancel();
            try
            {
                await wait;
                succeeded++;
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }
        }

        Assert.Equal(2000, succeeded + cancelled);

        // The pool still hands out sound waiters afterwards.
        long last = log.Append(1);
        tracker.NotifyAppended(last, 1);
        await tracker.WaitForDurableAsync(last).AsTask().WaitAsync(Hang);
        Assert.Equal(last, tracker.DurableEndOffset);
    }

    [Fact]
    public async Task An_already_cancelled_token_cancels_at_once()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "precancelled");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        tracker.NotifyAppended(log.Append(1), 1);
        var wait = tracker.WaitForDurableAsync(1, new CancellationToken(canceled: true)).AsTask();
        Assert.True(wait.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await wait);
    }

    [Fact]
    public async Task Dispose_flushes_dirty_data_completes_covered_waiters_and_faults_the_rest()
    {
        var committer = new GroupCommitter(CommitPolicy.EveryInterval(TimeSpan.FromHours(1)), TimeProvider.System, "dispose");
        var log = new FakeFlushable();
        var idle = new FakeFlushable { End = 3 };
        var tracker = committer.Register(log, 0);
        var idleTracker = committer.Register(idle, 3);
        tracker.NotifyAppended(log.Append(5), 5);

        var covered = tracker.WaitForDurableAsync(5).AsTask();
        var beyond = tracker.WaitForDurableAsync(100).AsTask();
        committer.Dispose();

        await covered.WaitAsync(Hang);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => beyond.WaitAsync(Hang));
        Assert.Equal(1, log.FlushCalls);
        Assert.Equal(0, idle.FlushCalls);
        Assert.Equal(5, tracker.DurableEndOffset);

        Assert.True(IsDurableAlready(tracker.WaitForDurableAsync(5)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tracker.WaitForDurableAsync(6).AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => idleTracker.WaitForDurableAsync(4).AsTask());
        Assert.Throws<ObjectDisposedException>(() => committer.Register(new FakeFlushable(), 0));
        committer.Dispose(); // idempotent
    }

    [Fact]
    public async Task DisposeAsync_flushes_dirty_data_and_stops_the_thread()
    {
        var committer = new GroupCommitter(CommitPolicy.EveryInterval(TimeSpan.FromHours(1)), TimeProvider.System, "dispose-async");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        tracker.NotifyAppended(log.Append(2), 2); // dirty, nobody waiting

        await committer.DisposeAsync();
        Assert.Equal(1, log.FlushCalls);
        Assert.Equal(2, tracker.DurableEndOffset);
    }

    [Fact]
    public async Task Unregister_faults_pending_waiters_and_never_flushes_the_target_again()
    {
        using var committer = new GroupCommitter(CommitPolicy.EveryInterval(TimeSpan.FromHours(1)), TimeProvider.System, "unregister");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        tracker.NotifyAppended(log.Append(1), 1);
        var pending = tracker.WaitForDurableAsync(1).AsTask();

        committer.Unregister(tracker);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(Hang));
        tracker.RequestFlush();
        await new CommitterBarrier(committer).PassAsync();
        committer.Dispose();
        Assert.Equal(0, log.FlushCalls);
        committer.Unregister(tracker); // a second call is harmless
    }

    [Fact]
    public async Task The_flusher_thread_is_named_after_the_committer()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "data-0");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        string? threadName = null;
        var named = new NamingFlushable(() => threadName = Thread.CurrentThread.Name);
        var namedTracker = committer.Register(named, 0);
        namedTracker.RequestFlush();
        await new CommitterBarrier(committer).PassAsync();
        Assert.Equal("fastlog-flush-data-0", threadName);
        Assert.Equal(0, tracker.DurableEndOffset);
    }

    [Fact]
    public async Task A_wait_past_the_appended_end_completes_at_a_later_covering_flush()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "ahead");
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);
        tracker.NotifyAppended(log.Append(1), 1);

        var ahead = tracker.WaitForDurableAsync(3).AsTask(); // offsets 1 and 2 are not appended yet
        await tracker.WaitForDurableAsync(1).AsTask().WaitAsync(Hang);
        await new CommitterBarrier(committer).PassAsync();
        Assert.False(ahead.IsCompleted);
        int flushesWhileAhead = log.FlushCalls;

        tracker.NotifyAppended(log.Append(2), 2);
        await tracker.WaitForDurableAsync(3).AsTask().WaitAsync(Hang);
        await ahead.WaitAsync(Hang);
        Assert.True(log.FlushCalls <= flushesWhileAhead + 1);
    }

    [Fact]
    public void Unregister_rejects_a_tracker_of_another_committer()
    {
        using var first = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "first");
        using var second = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "second");
        var tracker = first.Register(new FakeFlushable(), 0);
        Assert.Throws<ArgumentException>(() => second.Unregister(tracker));
    }

    [Fact]
    public void Policies_validate_and_describe_themselves()
    {
        Assert.Equal(CommitPolicyKind.Immediate, CommitPolicy.Immediate.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), CommitPolicy.EveryInterval(TimeSpan.FromSeconds(1)).Interval);
        Assert.Equal(42, CommitPolicy.EveryMessages(42).MessageThreshold);
        Assert.Throws<ArgumentOutOfRangeException>(() => CommitPolicy.EveryInterval(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => CommitPolicy.EveryMessages(0));
        Assert.Equal("EveryMessages(42)", CommitPolicy.EveryMessages(42).ToString());
    }

    [Fact]
    public async Task The_observer_hears_of_every_fsync_before_its_waiters_complete_and_of_failed_ones()
    {
        var observer = new RecordingObserver();
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "observed", observer);
        var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);

        tracker.NotifyAppended(log.Append(3), 3);
        await tracker.WaitForDurableAsync(3).AsTask().WaitAsync(Hang);
        Assert.Equal((1, 0), observer.Counts); // counted before the waiter was released

        log.FailWith = new IOException("EIO");
        tracker.NotifyAppended(log.Append(1), 1);
        await Assert.ThrowsAsync<IOException>(() => tracker.WaitForDurableAsync(4).AsTask().WaitAsync(Hang));
        Assert.Equal((1, 1), observer.Counts);
        Assert.Equal(2, committer.FlushCount);
        Assert.Same(observer, committer.Observer);
    }

    /// <summary>Takes the ValueTask as an argument, so the analyzer sees it consumed exactly once.</summary>
    private static bool IsDurableAlready(ValueTask wait) => wait.IsCompletedSuccessfully;

    private sealed class RecordingObserver : IFlushObserver
    {
        private int _succeeded;
        private int _failed;

        public (int Succeeded, int Failed) Counts => (Volatile.Read(ref _succeeded), Volatile.Read(ref _failed));

        public void OnFlushed(TimeSpan duration, bool succeeded) => Interlocked.Increment(ref succeeded ? ref _succeeded : ref _failed);
    }

    private sealed class NamingFlushable(Action onFlush) : IFlushable
    {
        public long FlushToDisk()
        {
            onFlush();
            return 0;
        }
    }
}
