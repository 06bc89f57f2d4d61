using System.Collections.Concurrent;

namespace FastLog.Client.Consumer;

/// <summary>
/// Completed fetch responses in arrival order, from the fetcher's loops to the consuming thread. Bounded
/// indirectly: each broker has a fixed number of fetch slots, and a slot is only given back when its response is
/// disposed after reading.
/// </summary>
internal sealed class FetchBuffer(ConsumerSignals signals)
{
    private readonly ConcurrentQueue<FetchedResponse> _queue = new();
    private bool _closed;

    public void Add(FetchedResponse response)
    {
        _queue.Enqueue(response);
        if (Volatile.Read(ref _closed))
        {
            DisposeAll();
            return;
        }

        signals.ReaderWake.Set();
    }

    public bool TryTake(out FetchedResponse? response) => _queue.TryDequeue(out response);

    /// <summary>Disposes everything queued; later additions are disposed at once.</summary>
    public void Close()
    {
        Volatile.Write(ref _closed, true);
        DisposeAll();
    }

    private void DisposeAll()
    {
        while (_queue.TryDequeue(out FetchedResponse? response))
        {
            response.Dispose();
        }
    }
}
