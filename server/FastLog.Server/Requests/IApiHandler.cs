using FastLog.Protocol;

namespace FastLog.Server.Requests;

/// <summary>
/// One Kafka API. The dispatcher builds the ApiVersions answer from the registered handlers, so the
/// advertised ranges cannot drift from what is served: a handler must answer every version in
/// [<see cref="MinVersion"/>, <see cref="MaxVersion"/>].
/// </summary>
internal interface IApiHandler
{
    ApiKey ApiKey { get; }

    /// <summary>Lowest advertised version (COMPAT.md keeps some floors low for old clients' feature probes).</summary>
    short MinVersion { get; }

    short MaxVersion { get; }

    /// <summary>
    /// Answers the request. Everything that reads request memory (produce records point into the
    /// connection's receive buffer) happens before the first await. Null means no response (acks=0).
    /// </summary>
    ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request);
}
