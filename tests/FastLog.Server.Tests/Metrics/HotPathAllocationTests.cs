using System.Diagnostics;
using System.Runtime.CompilerServices;
using FastLog.Protocol;
using FastLog.Server.Metrics;
using FastLog.Server.Network;

namespace FastLog.Server.Tests.Metrics;

/// <summary>
/// What the request, network and flusher paths call per request, frame or fsync must not allocate:
/// counted with the calling thread's allocation counter over many calls after a warm-up (exact
/// for this thread, so other tests running meanwhile do not disturb it).
/// </summary>
public sealed class HotPathAllocationTests
{
    private const int Iterations = 10_000;
    private const int Rounds = 3;

    [Fact]
    public void Counting_a_request_a_frame_and_an_fsync_allocates_nothing()
    {
        var requests = new RequestMetrics([ApiKey.Produce, ApiKey.Fetch]);
        var network = new NetworkCounters();
        var flushes = new FlushMetrics();
        Record(requests, network, flushes, 100);

        // The runtime can allocate on this thread once in a while (a callee reaching its call count and
        // being queued for recompilation, as seen in a full run): 3,720 bytes in one round. A hot path
        // that allocates does so on every call, so it shows in every round; one clean round of the three
        // proves the path itself allocates nothing.
        var allocatedBytes = new List<long>();
        for (int round = 0; round < Rounds && (allocatedBytes.Count == 0 || allocatedBytes[^1] != 0); round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Record(requests, network, flushes, Iterations);
            allocatedBytes.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocatedBytes[^1] == 0, $"bytes allocated per round of {Iterations:N0}: {string.Join(", ", allocatedBytes)}");
        long calls = 100 + ((long)Iterations * allocatedBytes.Count);
        Assert.Equal(calls, requests.For(ApiKey.Produce).Requests);
        Assert.Equal(calls, requests.For(ApiKey.Produce).Duration.Snapshot().Count);
        Assert.Equal(calls, requests.Unknown.Errors); // key 999 is beyond every known API
        Assert.Equal(calls, flushes.Duration.Snapshot().Count);
    }

    // Compiled once, optimized: a loop under tiered compilation can be replaced on the stack mid-count
    // (OSR), and the counter then saw the runtime's own allocations in one run of the full suite.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Record(RequestMetrics requests, NetworkCounters network, FlushMetrics flushes, int iterations)
    {
        for (int i = 0; i < iterations; i++)
        {
            long started = Stopwatch.GetTimestamp();
            var stats = requests.For(ApiKey.Produce);
            stats.Received();
            stats.Answered(started);
            requests.For((ApiKey)999).Failed();
            network.AddReceived(100);
            network.AddSent(50);
            flushes.OnFlushed(TimeSpan.FromTicks(i), succeeded: true);
        }
    }
}
