using FastLog.Engine.Commit;

namespace FastLog.Engine.Tests.Commit;

/// <summary>
/// A partition stand-in: the test moves <see cref="End"/> as it "appends"; a flush captures it before
/// "syncing", optionally blocks on a gate (a slow fsync), optionally throws, and counts calls.
/// </summary>
internal sealed class FakeFlushable : IFlushable, IDisposable
{
    private readonly ManualResetEventSlim _gate = new(initialState: true);
    private readonly SemaphoreSlim _flushStarted = new(0);
    private long _end;
    private int _flushCalls;

    public long End
    {
        get => Volatile.Read(ref _end);
        set => Volatile.Write(ref _end, value);
    }

    public int FlushCalls => Volatile.Read(ref _flushCalls);

    /// <summary>Thrown by every flush while set.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>Simulated fsync latency, for the coalescing-under-load test only.</summary>
    public TimeSpan SyncDelay { get; set; }

    /// <summary>Atomically "appends" <paramref name="count"/> offsets and returns the new end.</summary>
    public long Append(int count) => Interlocked.Add(ref _end, count);

    public void CloseGate() => _gate.Reset();

    public void OpenGate() => _gate.Set();

    /// <summary>Waits until a flush has started (captured its end) since the last call.</summary>
    public async Task WaitForFlushStartAsync() => Assert.True(await _flushStarted.WaitAsync(TimeSpan.FromSeconds(30)), "no flush started");

    public void Dispose()
    {
        _gate.Dispose();
        _flushStarted.Dispose();
    }

    public long FlushToDisk()
    {
        long captured = End;
        Interlocked.Increment(ref _flushCalls);
        _flushStarted.Release();
        Assert.True(_gate.Wait(TimeSpan.FromSeconds(30)), "gate never opened");
        if (SyncDelay > TimeSpan.Zero)
        {
            Thread.Sleep(SyncDelay);
        }

        if (FailWith is { } error)
        {
            throw error;
        }

        return captured;
    }
}
