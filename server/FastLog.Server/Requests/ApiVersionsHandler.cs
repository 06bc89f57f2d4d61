using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>ApiVersions (key 18), v0-4: the advertised ranges of every registered handler, derived from the handler list itself.</summary>
internal sealed class ApiVersionsHandler(Func<IEnumerable<IApiHandler>> handlers) : IApiHandler
{
    public ApiKey ApiKey => ApiKey.ApiVersions;

    public short MinVersion => 0;

    public short MaxVersion => 4;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var response = new ApiVersionsResponse { ErrorCode = 0 };
        foreach (var handler in handlers().OrderBy(h => (short)h.ApiKey))
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)handler.ApiKey, MinVersion = handler.MinVersion, MaxVersion = handler.MaxVersion });
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }
}
