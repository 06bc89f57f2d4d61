namespace FastLog.Server.Network;

/// <summary>Socket-layer limits, named after the Kafka broker configs they implement.</summary>
public sealed record NetworkOptions
{
    /// <summary>socket.request.max.bytes: the largest request frame; a larger size prefix closes the connection (Kafka default 100 MiB).</summary>
    public int SocketRequestMaxBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>max.connections: connections accepted beyond this are closed at once.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>connections.max.idle.ms: a connection with no request for this long is closed (Kafka default 10 minutes).</summary>
    public long ConnectionsMaxIdleMs { get; init; } = 600_000;

    /// <summary>
    /// Requests of one connection being processed or waiting to be answered. Clients pipeline
    /// (librdkafka up to 1,000,000 in flight); past this the connection stops reading until
    /// answers drain, so one client cannot queue unbounded work.
    /// </summary>
    public int MaxInFlightRequestsPerConnection { get; init; } = 128;
}
