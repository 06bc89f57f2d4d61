using System.Collections.Concurrent;
using System.Diagnostics;

namespace FastLog.Client.Tests.Core;

public sealed class PreciseTimeProviderTests
{
    /// <summary>Only catches a timer that never fires; not a speed check.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_shot_timer_fires_once_and_not_before_its_due_time()
    {
        var fired = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        long started = Stopwatch.GetTimestamp();
        using var timer = PreciseTimeProvider.Instance.CreateTimer(
            _ =>
            {
                Interlocked.Increment(ref calls);
                fired.TrySetResult(Stopwatch.GetTimestamp());
            },
            null,
            TimeSpan.FromMilliseconds(3),
            Timeout.InfiniteTimeSpan);

        long firedAt = await fired.Task.WaitAsync(HangGuard);

        // A lower bound on clock readings, not a speed check: a slow machine only makes it fire later.
        long dueNoEarlierThan = started + (3 * Stopwatch.Frequency / 1000);
        Assert.True(firedAt >= dueNoEarlierThan, "the timer fired before its due time");
        await Task.Delay(50);
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task Timers_fire_in_due_order_and_pass_their_state()
    {
        var order = new ConcurrentQueue<string>();
        var last = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TimerCallback record = state =>
        {
            order.Enqueue((string)state!);
            if ((string)state! == "third")
            {
                last.TrySetResult();
            }
        };

        // Created out of order; the earliest due time must still come first.
        using var third = PreciseTimeProvider.Instance.CreateTimer(record, "third", TimeSpan.FromMilliseconds(60), Timeout.InfiniteTimeSpan);
        using var first = PreciseTimeProvider.Instance.CreateTimer(record, "first", TimeSpan.FromMilliseconds(2), Timeout.InfiniteTimeSpan);
        using var second = PreciseTimeProvider.Instance.CreateTimer(record, "second", TimeSpan.FromMilliseconds(30), Timeout.InfiniteTimeSpan);

        await last.Task.WaitAsync(HangGuard);
        Assert.Equal(["first", "second", "third"], order.ToArray());
    }

    [Fact]
    public async Task Change_to_infinite_and_dispose_cancel_a_pending_timer()
    {
        int cancelledCalls = 0;
        int disposedCalls = 0;
        var control = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancelled = PreciseTimeProvider.Instance.CreateTimer(_ => Interlocked.Increment(ref cancelledCalls), null, TimeSpan.FromMilliseconds(40), Timeout.InfiniteTimeSpan);
        var disposed = PreciseTimeProvider.Instance.CreateTimer(_ => Interlocked.Increment(ref disposedCalls), null, TimeSpan.FromMilliseconds(40), Timeout.InfiniteTimeSpan);
        using var later = PreciseTimeProvider.Instance.CreateTimer(_ => control.TrySetResult(), null, TimeSpan.FromMilliseconds(150), Timeout.InfiniteTimeSpan);

        Assert.True(cancelled.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        disposed.Dispose();

        // A timer due well after the cancelled ones fired, so they had every chance to fire first.
        await control.Task.WaitAsync(HangGuard);
        Assert.Equal(0, Volatile.Read(ref cancelledCalls));
        Assert.Equal(0, Volatile.Read(ref disposedCalls));
        Assert.False(disposed.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public async Task Change_moves_the_due_time_and_a_period_repeats_until_disposed()
    {
        int calls = 0;
        var thrice = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timer = PreciseTimeProvider.Instance.CreateTimer(
            _ =>
            {
                if (Interlocked.Increment(ref calls) == 3)
                {
                    thrice.TrySetResult();
                }
            },
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);

        Assert.True(timer.Change(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2)));
        await thrice.Task.WaitAsync(HangGuard);
        await timer.DisposeAsync();
        int afterDispose = Volatile.Read(ref calls);
        await Task.Delay(50);

        // At most one call that was already due while disposing.
        Assert.InRange(Volatile.Read(ref calls), afterDispose, afterDispose + 1);
    }

    [Fact]
    public async Task A_timer_rearmed_many_times_keeps_one_pending_entry()
    {
        // The producer's sender re-arms its timer on every wake-up, often long before it is due.
        var provider = new PreciseTimeProvider();
        var timer = provider.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        for (int i = 0; i < 10_000; i++)
        {
            timer.Change(TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(i % 7), Timeout.InfiniteTimeSpan);
        }

        Assert.Equal(1, provider.PendingCount);
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Equal(0, provider.PendingCount);

        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var other = provider.CreateTimer(_ => fired.TrySetResult(), null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        timer.Change(TimeSpan.FromMinutes(1), Timeout.InfiniteTimeSpan);
        await fired.Task.WaitAsync(HangGuard);
        Assert.Equal(1, provider.PendingCount);
        await timer.DisposeAsync();
        Assert.Equal(0, provider.PendingCount);
    }

    [Fact]
    public void Rejects_negative_times_other_than_infinite()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PreciseTimeProvider.Instance.CreateTimer(_ => { }, null, TimeSpan.FromMilliseconds(-2), Timeout.InfiniteTimeSpan));
        using var timer = PreciseTimeProvider.Instance.CreateTimer(_ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Assert.Throws<ArgumentOutOfRangeException>(() => timer.Change(TimeSpan.Zero, TimeSpan.FromMilliseconds(-5)));
    }

    [Fact]
    public void Monotonic_clock_moves_in_single_milliseconds()
    {
        // Environment.TickCount64 moves in kernel ticks on Linux (4 ms with CONFIG_HZ=250); this clock must
        // show steps of exactly one millisecond. A descheduled thread makes bigger steps, never all of them.
        long previous = MonotonicClock.NowMs;
        int changes = 0;
        int singleSteps = 0;
        var guard = Stopwatch.StartNew();
        while (changes < 30 && guard.Elapsed < HangGuard)
        {
            long now = MonotonicClock.NowMs;
            Assert.True(now >= previous, "the clock went backwards");
            if (now != previous)
            {
                changes++;
                singleSteps += now - previous == 1 ? 1 : 0;
                previous = now;
            }
        }

        Assert.Equal(30, changes);
        Assert.True(singleSteps > 0, "every step was longer than a millisecond: the clock is coarse");
    }
}
