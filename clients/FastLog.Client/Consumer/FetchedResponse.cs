using FastLog.Protocol.Messages;

namespace FastLog.Client.Consumer;

/// <summary>
/// A fetch response waiting to be read: its leased receive frame (which the chunks' bytes point into) and the
/// per-partition chunks. Disposing returns the frame to the pool and gives the broker's fetch slot back, which
/// lets the fetcher send the next request to that broker.
/// </summary>
internal sealed class FetchedResponse(ResponseLease<FetchResponse>? lease, List<FetchedChunk> chunks, Action? onDisposed) : IDisposable
{
    private ResponseLease<FetchResponse>? _lease = lease;
    private Action? _onDisposed = onDisposed;

    public List<FetchedChunk> Chunks { get; } = chunks;

    public void Dispose()
    {
        Interlocked.Exchange(ref _lease, null)?.Dispose();
        Interlocked.Exchange(ref _onDisposed, null)?.Invoke();
    }
}
