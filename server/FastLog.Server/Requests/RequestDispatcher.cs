using System.Buffers;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using FastLog.Server.Network;

namespace FastLog.Server.Requests;

/// <summary>
/// Turns request frames into handler calls and handler answers into response frames. Follows
/// Kafka's rules for bad input: a header that cannot be read, an unknown API, a version outside
/// the advertised range or a body that cannot be parsed closes the connection (after one log line);
/// the one exception is ApiVersions above our maximum, answered in the v0 format with
/// UNSUPPORTED_VERSION and our range so the client can retry (KIP-511).
/// </summary>
internal sealed class RequestDispatcher : IRequestProcessor
{
    private readonly BrokerServices _broker;
    private readonly Dictionary<ApiKey, IApiHandler> _handlers;

    public RequestDispatcher(BrokerServices broker, IEnumerable<IApiHandler> handlers)
    {
        _broker = broker;
        _handlers = handlers.ToDictionary(h => h.ApiKey);
    }

    public IReadOnlyCollection<IApiHandler> Handlers => _handlers.Values;

    public ValueTask<KafkaResponse?> ProcessAsync(ConnectionContext connection, ReadOnlySequence<byte> frame)
    {
        if (frame.IsSingleSegment)
        {
            return Process(connection, frame.First);
        }

        // A frame spread over several receive-buffer segments (every large produce request) is copied
        // once into a pooled buffer: handlers read request memory only before their first await, so
        // the buffer goes back to the pool as soon as the synchronous part returns.
        int length = checked((int)frame.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(rented);
            return Process(connection, rented.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private ValueTask<KafkaResponse?> Process(ConnectionContext connection, ReadOnlyMemory<byte> bytes)
    {
        var reader = new KafkaReader(bytes);
        RequestHeader header;
        try
        {
            header = RequestHeader.Read(ref reader);
        }
        catch (ProtocolException e)
        {
            throw new ConnectionClosingException($"unreadable request header: {e.Message}");
        }

        connection.ClientId = header.ClientId;
        if (!_handlers.TryGetValue(header.ApiKey, out var handler))
        {
            throw new ConnectionClosingException($"unsupported API key {(short)header.ApiKey} from client '{header.ClientId}'");
        }

        if (header.ApiVersion > handler.MaxVersion && header.ApiKey == ApiKey.ApiVersions)
        {
            return ValueTask.FromResult<KafkaResponse?>(UnsupportedApiVersions(header, handler));
        }

        if (header.ApiVersion < handler.MinVersion || header.ApiVersion > handler.MaxVersion)
        {
            throw new ConnectionClosingException($"unsupported version {header.ApiVersion} of {header.ApiKey} from client '{header.ClientId}'");
        }

        IKafkaMessage request;
        try
        {
            request = KafkaApis.ReadRequest(header.ApiKey, header.ApiVersion, ref reader);
        }
        catch (ProtocolException e)
        {
            throw new ConnectionClosingException($"malformed {header.ApiKey} v{header.ApiVersion} request: {e.Message}");
        }

        var context = new RequestContext(connection, header, _broker);
        var pending = handler.HandleAsync(context, request);
        return pending.IsCompletedSuccessfully
            ? ValueTask.FromResult(Frame(header, pending.Result))
            : FrameAsync(header, pending);
    }

    private static async ValueTask<KafkaResponse?> FrameAsync(RequestHeader header, ValueTask<IKafkaMessage?> pending) => Frame(header, await pending);

    private static KafkaResponse? Frame(RequestHeader header, IKafkaMessage? body) =>
        body is null ? null : KafkaResponse.ForMessage(header.CorrelationId, header.ApiVersion, body);

    private static KafkaResponse UnsupportedApiVersions(RequestHeader header, IApiHandler handler)
    {
        var body = new ApiVersionsResponse
        {
            ErrorCode = (short)ErrorCode.UnsupportedVersion,
            ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.ApiVersions, MinVersion = handler.MinVersion, MaxVersion = handler.MaxVersion }],
        };
        return KafkaResponse.ForMessage(header.CorrelationId, 0, body);
    }
}
