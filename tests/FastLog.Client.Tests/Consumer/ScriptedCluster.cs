using FastLog.Client.Tests.Support;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// A one-node "cluster" on loopback that accepts any number of connections, answers ApiVersions and Metadata
/// (itself as the only broker, leading partition 0 of every topic asked about) and lets the test answer the
/// rest. For failure modes a real broker does not produce on demand, such as a coordinator that never becomes
/// available.
/// </summary>
internal sealed class ScriptedCluster : LoopbackKafkaServer
{
    private readonly Func<ApiKey, short, IKafkaMessage?> _handler;

    /// <param name="handler">Answers everything but ApiVersions and Metadata; null sends no answer.</param>
    public ScriptedCluster(Func<ApiKey, short, IKafkaMessage?> handler)
    {
        _handler = handler;
        Start();
    }

    protected override IKafkaMessage? Answer(RequestHeader header, IKafkaMessage request) => request switch
    {
        ApiVersionsRequest => Versions(),
        MetadataRequest metadata => Metadata(metadata),
        _ => _handler(header.ApiKey, header.ApiVersion),
    };

    private static ApiVersionsResponse Versions() => new()
    {
        ApiKeys =
        [
            Range(ApiKey.ApiVersions, 0, 3),
            Range(ApiKey.Metadata, 1, 8),
            Range(ApiKey.FindCoordinator, 0, 2),
            Range(ApiKey.Fetch, 4, 11),
            Range(ApiKey.ListOffsets, 1, 5),
            Range(ApiKey.JoinGroup, 0, 5),
            Range(ApiKey.SyncGroup, 0, 3),
            Range(ApiKey.Heartbeat, 0, 3),
            Range(ApiKey.LeaveGroup, 0, 3),
            Range(ApiKey.OffsetCommit, 2, 7),
            Range(ApiKey.OffsetFetch, 1, 5),
        ],
    };

    private static ApiVersionsResponse.ApiVersion Range(ApiKey key, short min, short max) =>
        new() { ApiKey = (short)key, MinVersion = min, MaxVersion = max };

    private MetadataResponse Metadata(MetadataRequest request) => new()
    {
        Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 0, Host = "127.0.0.1", Port = Port }],
        ControllerId = 0,
        ClusterId = "scripted",
        Topics = [.. (request.Topics ?? []).Select(t => new MetadataResponse.MetadataResponseTopic
        {
            Name = t.Name,
            Partitions = [new MetadataResponse.MetadataResponsePartition { PartitionIndex = 0, LeaderId = 0, ReplicaNodes = [0], IsrNodes = [0] }],
        })],
    };
}
