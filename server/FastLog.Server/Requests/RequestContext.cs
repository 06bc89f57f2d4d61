using FastLog.Protocol;
using FastLog.Server.Broker;
using FastLog.Server.Network;

namespace FastLog.Server.Requests;

/// <summary>What a handler knows about the request it answers.</summary>
internal sealed class RequestContext
{
    public RequestContext(ConnectionContext connection, RequestHeader header, BrokerServices broker)
    {
        Connection = connection;
        Header = header;
        Broker = broker;
    }

    public ConnectionContext Connection { get; }

    public RequestHeader Header { get; }

    public short ApiVersion => Header.ApiVersion;

    public BrokerServices Broker { get; }
}
