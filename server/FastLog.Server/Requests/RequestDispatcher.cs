using System.Buffers;
using System.Diagnostics;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using FastLog.Server.Metrics;
using FastLog.Server.Network;

namespace FastLog.Server.Requests;

/// <summary>
/// Turns request frames into handler calls and handler answers into response frames. Follows
/// Kafka's rules for bad input: a header that cannot be read, an unknown API, a version outside
/// the advertised range or a body that cannot be parsed closes the connection (after one log line);
/// the one exception is ApiVersions above our maximum, answered in the v0 format with
/// UNSUPPORTED_VERSION and our range so the client can retry (KIP-511).
/// Every frame is counted in <see cref="Metrics"/> under its API: received, failed (the connection
/// closes) or answered with its duration, from here until the response frame is built.
/// </summary>
internal sealed class RequestDispatcher : IRequestProcessor
{
    private readonly BrokerServices _broker;
    private readonly Dictionary<ApiKey, IApiHandler> _handlers;

    public RequestDispatcher(BrokerServices broker, IEnumerable<IApiHandler> handlers)
    {
        _broker = broker;
        _handlers = handlers.ToDictionary(h => h.ApiKey);
        Metrics = new RequestMetrics(_handlers.Keys);
    }

    public IReadOnlyCollection<IApiHandler> Handlers => _handlers.Values;

    /// <summary>Requests, failures and durations per API.</summary>
    public RequestMetrics Metrics { get; }

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
        long started = Stopwatch.GetTimestamp();
        var reader = new KafkaReader(bytes);
        RequestHeader header;
        try
        {
            header = RequestHeader.Read(ref reader);
        }
        catch (ProtocolException e)
        {
            Metrics.Unknown.Received();
            Metrics.Unknown.Failed();
            throw new ConnectionClosingException($"unreadable request header: {e.Message}");
        }

        var stats = Metrics.For(header.ApiKey);
        stats.Received();
        connection.ClientId = header.ClientId;
        if (!_handlers.TryGetValue(header.ApiKey, out var handler))
        {
            stats.Failed();
            throw new ConnectionClosingException($"unsupported API key {(short)header.ApiKey} from client '{header.ClientId}'");
        }

        if (header.ApiVersion > handler.MaxVersion && header.ApiKey == ApiKey.ApiVersions)
        {
            var refusal = UnsupportedApiVersions(header, handler);
            stats.Answered(started);
            return ValueTask.FromResult<KafkaResponse?>(refusal);
        }

        if (header.ApiVersion < handler.MinVersion || header.ApiVersion > handler.MaxVersion)
        {
            stats.Failed();
            throw new ConnectionClosingException($"unsupported version {header.ApiVersion} of {header.ApiKey} from client '{header.ClientId}'");
        }

        IKafkaMessage request;
        try
        {
            request = KafkaApis.ReadRequest(header.ApiKey, header.ApiVersion, ref reader);
        }
        catch (ProtocolException e)
        {
            stats.Failed();
            throw new ConnectionClosingException($"malformed {header.ApiKey} v{header.ApiVersion} request: {e.Message}");
        }

        var context = new RequestContext(connection, header, _broker);
        ValueTask<IKafkaMessage?> pending;
        KafkaResponse? response;
        try
        {
            pending = handler.HandleAsync(context, request);
            if (!pending.IsCompletedSuccessfully)
            {
                return FrameAsync(header, pending, stats, started);
            }

            response = Frame(header, pending.Result);
        }
        catch
        {
            stats.Failed();
            throw;
        }

        stats.Answered(started);
        return ValueTask.FromResult(response);
    }

    private static async ValueTask<KafkaResponse?> FrameAsync(RequestHeader header, ValueTask<IKafkaMessage?> pending, ApiRequestStats stats, long started)
    {
        KafkaResponse? response;
        try
        {
            response = Frame(header, await pending);
        }
        catch
        {
            stats.Failed();
            throw;
        }

        stats.Answered(started);
        return response;
    }

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
