using FastLog.Engine.Commit;

namespace FastLog.Engine.Tests.Commit;

/// <summary>A committer with several flusher threads: partitions sync side by side, each partition by one thread at a time.</summary>
public sealed class GroupCommitterParallelTests
{
    // Only a guard against a hung test run; no test asserts on how long anything takes.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_slow_fsync_of_one_partition_does_not_hold_up_another()
    {
        using var pair = await SlowAndFast.StartAsync(flushThreads: 2);

        await pair.FastWait.WaitAsync(Hang);
        Assert.False(pair.SlowWait.IsCompleted);

        pair.Slow.OpenGate();
        await pair.SlowWait.WaitAsync(Hang);
        Assert.Equal(1, pair.Slow.FlushCalls);
        Assert.Equal(1, pair.Fast.FlushCalls);
    }

    [Fact]
    public async Task With_one_flusher_a_slow_fsync_holds_up_the_next_partition()
    {
        // The contrast to the test above: it shows that test could fail.
        using var pair = await SlowAndFast.StartAsync(flushThreads: 1);

        await Task.Delay(50);
        Assert.False(pair.FastWait.IsCompleted);
        Assert.Equal(0, pair.Fast.FlushCalls);

        pair.Slow.OpenGate();
        await Task.WhenAll(pair.SlowWait, pair.FastWait).WaitAsync(Hang);
    }

    [Fact]
    public async Task Waiters_arriving_during_a_slow_flush_share_one_following_flush_even_with_idle_flushers()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "coalesce", flushThreads: 4);
        using var log = new FakeFlushable();
        var tracker = committer.Register(log, 0);

        log.CloseGate();
        tracker.NotifyAppended(log.Append(1), 1);
        var first = tracker.WaitForDurableAsync(1).AsTask();
        await log.WaitForFlushStartAsync();

        var later = new List<Task>();
        for (int i = 0; i < 50; i++)
        {
            long end = log.Append(1);
            tracker.NotifyAppended(end, 1);
            later.Add(tracker.WaitForDurableAsync(end).AsTask());
        }

        // Three flushers are idle, yet none may start a second sync of a partition being synced.
        await Task.Delay(50);
        Assert.Equal(1, log.FlushCalls);

        log.OpenGate();
        await Task.WhenAll(later.Append(first)).WaitAsync(Hang);
        Assert.Equal(2, log.FlushCalls);
        Assert.Equal(51, tracker.DurableEndOffset);
    }

    [Fact]
    public async Task Under_load_no_partition_is_ever_synced_by_two_flushers_at_once_and_every_waiter_completes()
    {
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "load", flushThreads: 4);
        var logs = Enumerable.Range(0, 6).Select(_ => new OverlapCheckingFlushable()).ToArray();
        var trackers = logs.Select(l => committer.Register(l, 0)).ToArray();

        var producers = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            for (int i = 0; i < 300; i++)
            {
                int partition = random.Next(logs.Length);
                long end = logs[partition].Append();
                trackers[partition].NotifyAppended(end, 1);
                await trackers[partition].WaitForDurableAsync(end);
                Assert.True(trackers[partition].DurableEndOffset >= end);
            }
        })).ToArray();

        await Task.WhenAll(producers).WaitAsync(Hang);
        Assert.All(logs, l => Assert.Equal(1, l.MaxConcurrentSyncs));
        Assert.Equal(8 * 300, logs.Sum(l => l.End));
        Assert.True(logs.Sum(l => l.Syncs) <= 8 * 300, "a sync per waiter at most");
    }

    [Fact]
    public async Task An_interval_tick_syncs_every_dirty_partition_and_dispose_settles_the_rest()
    {
        var time = new Support.ManualTimeProvider();
        var committer = new GroupCommitter(CommitPolicy.EveryInterval(TimeSpan.FromMilliseconds(100)), time, "tick", flushThreads: 3);
        var logs = Enumerable.Range(0, 5).Select(_ => new FakeFlushable()).ToArray();
        var trackers = logs.Select(l => committer.Register(l, 0)).ToArray();
        for (int i = 0; i < logs.Length; i++)
        {
            trackers[i].NotifyAppended(logs[i].Append(i + 1), i + 1);
        }

        var waits = trackers.Select((t, i) => t.WaitForDurableAsync(i + 1).AsTask()).ToArray();
        time.Advance(TimeSpan.FromMilliseconds(100));
        await Task.WhenAll(waits).WaitAsync(Hang);
        Assert.All(logs, l => Assert.Equal(1, l.FlushCalls));

        trackers[0].NotifyAppended(logs[0].Append(1), 1);
        var covered = trackers[0].WaitForDurableAsync(2).AsTask();
        var beyond = trackers[1].WaitForDurableAsync(100).AsTask();
        await committer.DisposeAsync();
        await covered.WaitAsync(Hang);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => beyond.WaitAsync(Hang));
        Assert.Equal(2, logs[0].FlushCalls);
        foreach (var log in logs)
        {
            log.Dispose();
        }
    }

    [Fact]
    public void The_flush_thread_count_is_validated_and_reported()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "none", flushThreads: 0));
        using var committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, "three", flushThreads: 3);
        Assert.Equal(3, committer.FlushThreads);
    }

    /// <summary>Counts how many flushers are inside its sync at once, with a short sleep to widen the window.</summary>
    private sealed class OverlapCheckingFlushable : IFlushable
    {
        private long _end;
        private int _inside;
        private int _maxInside;
        private int _syncs;

        public long End => Volatile.Read(ref _end);

        public int MaxConcurrentSyncs => Volatile.Read(ref _maxInside);

        public int Syncs => Volatile.Read(ref _syncs);

        public long Append() => Interlocked.Increment(ref _end);

        public long FlushToDisk()
        {
            long captured = End;
            int inside = Interlocked.Increment(ref _inside);
            int max;
            while (inside > (max = Volatile.Read(ref _maxInside)) && Interlocked.CompareExchange(ref _maxInside, inside, max) != max)
            {
            }

            Interlocked.Increment(ref _syncs);
            Thread.Sleep(1);
            Interlocked.Decrement(ref _inside);
            return captured;
        }
    }

    /// <summary>
    /// Two partitions on one committer: the slow one's fsync is stuck at its gate (a flusher is inside
    /// it), then the fast one asks for a flush of its own.
    /// </summary>
    private sealed class SlowAndFast : IDisposable
    {
        private readonly GroupCommitter _committer;

        private SlowAndFast(int flushThreads)
        {
            _committer = new GroupCommitter(CommitPolicy.Immediate, TimeProvider.System, $"slow-fast-{flushThreads}", flushThreads: flushThreads);
        }

        public FakeFlushable Slow { get; } = new();

        public FakeFlushable Fast { get; } = new();

        public Task SlowWait { get; private set; } = Task.CompletedTask;

        public Task FastWait { get; private set; } = Task.CompletedTask;

        public static async Task<SlowAndFast> StartAsync(int flushThreads)
        {
            var pair = new SlowAndFast(flushThreads);
            var slowTracker = pair._committer.Register(pair.Slow, 0);
            var fastTracker = pair._committer.Register(pair.Fast, 0);

            pair.Slow.CloseGate();
            slowTracker.NotifyAppended(pair.Slow.Append(1), 1);
            pair.SlowWait = slowTracker.WaitForDurableAsync(1).AsTask();
            await pair.Slow.WaitForFlushStartAsync(); // one flusher is stuck in the slow partition's fsync

            fastTracker.NotifyAppended(pair.Fast.Append(3), 3);
            pair.FastWait = fastTracker.WaitForDurableAsync(3).AsTask();
            return pair;
        }

        public void Dispose()
        {
            // A failed assertion may leave the gate closed; the committer's final flush must not hang on it.
            Slow.OpenGate();
            _committer.Dispose();
            Slow.Dispose();
            Fast.Dispose();
        }
    }
}
