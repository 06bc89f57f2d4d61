using System.Net;

namespace FastLog.Server.Network;

/// <summary>Per-connection state that request handlers may read (and, for negotiated state, set).</summary>
public sealed class ConnectionContext
{
    internal ConnectionContext(long id, EndPoint? remoteEndPoint, EndPoint? localEndPoint)
    {
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
    }

    /// <summary>Unique per listener for the process lifetime; used in log lines.</summary>
    public long Id { get; }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    /// <summary>The client id of the last request (request header), for logs and quotas.</summary>
    public string? ClientId { get; set; }

    /// <summary>Cancelled when the connection closes: long polls on it stop waiting.</summary>
    public CancellationToken Closed { get; internal set; }

    public override string ToString() => $"connection {Id} from {RemoteEndPoint}";
}
