namespace FastLog.Server.Network;

/// <summary>
/// Totals of one <see cref="KafkaListener"/> since it started: bytes received and sent (whole
/// frames, size prefixes included, record bytes from segment files included) and connections accepted.
/// </summary>
/// <remarks>
/// Shared by every connection of the listener and updated with one <see cref="Interlocked"/> add per
/// frame and direction, which is noise next to the socket call that moved the frame; per-connection
/// counters summed at scrape time would save that, but a connection closing mid-scrape would make a
/// counter step backwards, which Prometheus reads as a reset.
/// </remarks>
public sealed class NetworkCounters
{
    private long _bytesReceived;
    private long _bytesSent;
    private long _connectionsAccepted;

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Connections taken into service (those refused past max.connections are not counted).</summary>
    public long ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    internal void AddReceived(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    internal void AddSent(long bytes) => Interlocked.Add(ref _bytesSent, bytes);

    internal void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);
}
