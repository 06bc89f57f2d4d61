namespace FastLog.Server.Network;

/// <summary>The request cannot be answered and the connection must be closed (Kafka's reaction to bad headers and unknown versions).</summary>
public sealed class ConnectionClosingException : Exception
{
    public ConnectionClosingException()
    {
    }

    public ConnectionClosingException(string message)
        : base(message)
    {
    }

    public ConnectionClosingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
