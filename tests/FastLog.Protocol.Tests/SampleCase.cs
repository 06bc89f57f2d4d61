namespace FastLog.Protocol.Tests;

/// <summary>One (api, request/response, version) with a factory for generated sample data.</summary>
internal sealed record SampleCase(ApiKey Api, bool IsRequest, short Version, Func<SampleValues, IKafkaMessage> Create)
{
    public override string ToString() => $"{Api}{(IsRequest ? "Request" : "Response")} v{Version}";
}
