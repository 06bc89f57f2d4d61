using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Metadata;
using FastLog.Server.Network;

namespace FastLog.Server.Requests;

/// <summary>
/// Metadata (key 3), v0-12: this broker, the cluster id, and the requested topics (all of them for
/// a null list, or an empty one in v0). Unknown topics are auto-created when the broker allows it
/// and the request does (v4+); their partitions have a leader at once, so no retry is needed.
/// </summary>
internal sealed class MetadataHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.Metadata;

    public short MinVersion => 0;

    public short MaxVersion => 12;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var metadata = (MetadataRequest)request;
        var broker = context.Broker;
        var response = new MetadataResponse
        {
            ClusterId = broker.ClusterId,
            ControllerId = broker.NodeId,
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = broker.NodeId, Host = broker.AdvertisedHost, Port = broker.AdvertisedPort }],
        };

        var image = broker.Controller.Image;
        bool all = metadata.Topics is null || (context.ApiVersion == 0 && metadata.Topics.Count == 0);
        if (all)
        {
            foreach (var topic in image.Topics.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                response.Topics.Add(Describe(topic, broker.NodeId));
            }

            return ValueTask.FromResult<IKafkaMessage?>(response);
        }

        // Topic ids in requests are a v12 feature: before it the answer cannot carry a topic without a name (Kafka refuses these too).
        if (context.ApiVersion < 12 && metadata.Topics!.Exists(t => t.Name is null))
        {
            throw new ConnectionClosingException($"Metadata v{context.ApiVersion} request names a topic by id only, which needs v12");
        }

        bool autoCreate = broker.Config.AutoCreateTopicsEnable && (context.ApiVersion < 4 || metadata.AllowAutoTopicCreation);
        foreach (var requested in metadata.Topics!)
        {
            string? name = requested.Name ?? (image.TopicNamesById.TryGetValue(requested.TopicId, out string? byId) ? byId : null);
            if (name is null)
            {
                response.Topics.Add(new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicId, Name = null, TopicId = requested.TopicId });
                continue;
            }

            if (!image.TryGetTopic(name, out var topic) && autoCreate && TopicNames.Validate(name) is null)
            {
                var created = broker.Controller.CreateTopic(name, -1, -1, new Dictionary<string, string?>(), validateOnly: false);
                image = broker.Controller.Image;
                if (!created.IsOk && created.Error != ErrorCode.TopicAlreadyExists)
                {
                    response.Topics.Add(new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)created.Error, Name = name });
                    continue;
                }
            }

            if (image.TryGetTopic(name, out topic))
            {
                response.Topics.Add(Describe(topic, broker.NodeId));
            }
            else
            {
                var error = TopicNames.Validate(name) is null ? ErrorCode.UnknownTopicOrPartition : ErrorCode.InvalidTopicException;
                response.Topics.Add(new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)error, Name = name });
            }
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    private static MetadataResponse.MetadataResponseTopic Describe(TopicImage topic, int nodeId)
    {
        var described = new MetadataResponse.MetadataResponseTopic { Name = topic.Name, TopicId = topic.TopicId, IsInternal = topic.IsInternal };
        foreach (var partition in topic.Partitions)
        {
            described.Partitions.Add(new MetadataResponse.MetadataResponsePartition
            {
                PartitionIndex = partition.PartitionId,
                LeaderId = partition.Leader,
                LeaderEpoch = partition.LeaderEpoch,
                ReplicaNodes = [.. partition.Replicas],
                IsrNodes = [.. partition.Isr],
                ErrorCode = partition.Leader == nodeId ? (short)0 : (short)ErrorCode.LeaderNotAvailable,
            });
        }

        return described;
    }
}
