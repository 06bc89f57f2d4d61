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

    [Fact]
    public void Counting_a_request_a_frame_and_an_fsync_allocates_nothing()
    {
        var requests = new RequestMetrics([ApiKey.Produce, ApiKey.Fetch]);
        var network = new NetworkCounters();
        var flushes = new FlushMetrics();
        Record(requests, network, flushes, 100);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Record(requests, network, flushes, Iterations);
        long allocatedBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocatedBytes);
        Assert.Equal(Iterations + 100, requests.For(ApiKey.Produce).Requests);
        Assert.Equal(Iterations + 100, requests.For(ApiKey.Produce).Duration.Snapshot().Count);
        Assert.Equal(Iterations + 100, requests.Unknown.Errors); // key 999 is beyond every known API
        Assert.Equal(Iterations + 100, flushes.Duration.Snapshot().Count);
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
