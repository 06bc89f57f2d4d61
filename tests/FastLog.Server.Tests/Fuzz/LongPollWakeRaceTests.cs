using System.Reflection;
using FastLog.Engine.Log;
using FastLog.Server.Broker;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>
/// Found by the fuzz run (a NullReferenceException logged for a Produce): two appends to a partition
/// finishing at the same time both saw waiting long polls, the first took the waiter list and the second
/// then walked a null one. The exception escaped Append after the batch was written, so the producer got
/// a closed connection instead of its offset, and the high watermark was not advanced for that batch.
/// </summary>
public sealed class LongPollWakeRaceTests
{
    private const int WakesPerThread = 2_000_000;

    [Fact]
    public async Task Concurrent_wakes_never_throw_and_wake_every_waiter()
    {
        string directory = Path.Combine(Path.GetTempPath(), "fastlog-wake-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var logs = LogManager.Open(new LogManagerOptions { LogDirs = [directory] });
            var state = new PartitionState(new TopicPartition("wake", 0), logs.GetOrCreateLog(new TopicPartition("wake", 0)), 0);

            // The wake an append triggers, called directly so two threads can race on it many times.
            var wake = typeof(PartitionState).GetMethod("WakeWaiters", BindingFlags.NonPublic | BindingFlags.Instance)!.CreateDelegate<Action>(state);

            // Each thread registers a waiter and wakes, as a long poll and an append would, over and over.
            var waiters = new List<TaskCompletionSource>[2];
            var wakers = Enumerable.Range(0, 2).Select(t => Task.Run(() =>
            {
                var mine = waiters[t] = new List<TaskCompletionSource>(WakesPerThread);
                for (int i = 0; i < WakesPerThread; i++)
                {
                    var waiter = new TaskCompletionSource();
                    mine.Add(waiter);
                    state.AddWaiter(waiter);
                    wake();
                }
            })).ToArray();

            var failure = await Record.ExceptionAsync(() => Task.WhenAll(wakers));
            wake();

            Assert.Null(failure);
            Assert.All(waiters, list => Assert.True(list.TrueForAll(w => w.Task.IsCompleted), "a waiter was never woken"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
