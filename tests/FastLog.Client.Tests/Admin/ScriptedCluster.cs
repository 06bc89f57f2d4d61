using FastLog.Client.Tests.Support;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Tests.Admin;

/// <summary>
/// A one-node "cluster" on loopback that accepts any number of connections and answers each request with what the
/// test's handler returns for it (ApiVersions is answered with every API the codecs know). For driving the admin
/// client through error answers a real broker does not give on demand (not controller, coordinator loading).
/// </summary>
internal sealed class ScriptedCluster : LoopbackKafkaServer
{
    public const int NodeId = 1;

    private readonly Func<ApiKey, int, IKafkaMessage> _handler;
    private readonly Dictionary<ApiKey, int> _counts = [];

    /// <param name="handler">Answers the n-th (1-based) request of an API.</param>
    public ScriptedCluster(Func<ApiKey, int, IKafkaMessage> handler)
    {
        _handler = handler;
        Start();
    }

    /// <summary>API keys in the order requests arrived (ApiVersions excluded).</summary>
    public List<ApiKey> Received { get; } = [];

    public MetadataResponse Metadata() => new()
    {
        ClusterId = "scripted",
        ControllerId = NodeId,
        Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = NodeId, Host = "127.0.0.1", Port = Port }],
    };

    public FindCoordinatorResponse Coordinator(string key) => new()
    {
        Coordinators = [new FindCoordinatorResponse.Coordinator { Key = key, NodeId = NodeId, Host = "127.0.0.1", Port = Port }],
        NodeId = NodeId,
        Host = "127.0.0.1",
        Port = Port,
    };

    protected override IKafkaMessage? Answer(RequestHeader header, IKafkaMessage request) =>
        header.ApiKey == ApiKey.ApiVersions ? AllApiVersions() : Next(header.ApiKey);

    private IKafkaMessage Next(ApiKey apiKey)
    {
        int n;
        lock (_counts)
        {
            n = _counts[apiKey] = _counts.GetValueOrDefault(apiKey) + 1;
            Received.Add(apiKey);
        }

        return _handler(apiKey, n);
    }

    private static ApiVersionsResponse AllApiVersions() => new()
    {
        ApiKeys = [.. ApiVersionTable.All.Select(r => new ApiVersionsResponse.ApiVersion { ApiKey = (short)r.ApiKey, MinVersion = r.MinVersion, MaxVersion = r.MaxVersion })],
    };
}
