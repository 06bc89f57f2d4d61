using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// CreateTopics (key 19), v2-7. Each topic goes through the controller (validated, committed to the
/// metadata log, or only validated with validate_only). Partition count and replication factor -1
/// mean the broker defaults; a manual assignment is accepted only when every partition has exactly
/// this node as its replica (the only broker there is). v5+ answers carry the partition count,
/// replication factor and every config in force; v7 the topic id.
/// </summary>
internal sealed class CreateTopicsHandler : IApiHandler
{
    private const short FirstVersionWithConfigs = 5;

    public ApiKey ApiKey => ApiKey.CreateTopics;

    public short MinVersion => 2;

    public short MaxVersion => 7;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var create = (CreateTopicsRequest)request;
        var response = new CreateTopicsResponse();

        // Kafka answers a name given twice with one INVALID_REQUEST result and creates neither.
        var duplicates = create.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var answeredDuplicates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in create.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                if (answeredDuplicates.Add(topic.Name))
                {
                    response.Topics.Add(Failed(topic.Name, ErrorCode.InvalidRequest, "Duplicate topic name."));
                }

                continue;
            }

            response.Topics.Add(Create(context, topic, create.validateOnly));
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    private static CreateTopicsResponse.CreatableTopicResult Create(RequestContext context, CreateTopicsRequest.CreatableTopic topic, bool validateOnly)
    {
        var broker = context.Broker;
        int partitions = topic.NumPartitions;
        short replicationFactor = topic.ReplicationFactor;
        if (topic.Assignments.Count > 0)
        {
            if (partitions != -1 || replicationFactor != -1)
            {
                return Failed(topic.Name, ErrorCode.InvalidRequest, "A manual partition assignment was given, so numPartitions and replicationFactor must both be -1.");
            }

            if (CheckAssignments(topic.Assignments, broker.NodeId) is { } problem)
            {
                return Failed(topic.Name, ErrorCode.InvalidReplicaAssignment, problem);
            }

            partitions = topic.Assignments.Count;
            replicationFactor = 1;
        }

        var configs = new Dictionary<string, string?>(StringComparer.Ordinal);
        var nullValued = new List<string>();
        foreach (var config in topic.Configs)
        {
            if (config.Value is null)
            {
                nullValued.Add(config.Name);
            }

            // A key given twice: the last value wins, as in Kafka.
            configs[config.Name] = config.Value;
        }

        if (nullValued.Count > 0)
        {
            return Failed(topic.Name, ErrorCode.InvalidConfig, $"Null value not supported for topic configs: {string.Join(", ", nullValued)}");
        }

        var result = broker.Controller.CreateTopic(topic.Name, partitions, replicationFactor, configs, validateOnly);
        if (!result.IsOk)
        {
            return Failed(topic.Name, result.Error, result.Message);
        }

        var answer = new CreateTopicsResponse.CreatableTopicResult
        {
            Name = topic.Name,
            ErrorMessage = null,
            NumPartitions = partitions == -1 ? broker.Config.NumPartitions : partitions,
            ReplicationFactor = 1,
        };
        IReadOnlyDictionary<string, string> overrides = configs!;
        if (!validateOnly && broker.Controller.Image.TryGetTopic(topic.Name, out var created))
        {
            answer.TopicId = created.TopicId;
            overrides = created.Configs;
        }

        if (context.ApiVersion >= FirstVersionWithConfigs)
        {
            answer.Configs = [.. ConfigDescriptions.ForTopic(overrides, broker.Config).Select(e => new CreateTopicsResponse.CreatableTopicConfigs
            {
                Name = e.Name,
                Value = e.Value,
                ReadOnly = e.ReadOnly,
                ConfigSource = (sbyte)e.Source,
                IsSensitive = e.Sensitive,
            })];
        }

        return answer;
    }

    /// <summary>Null when the manual assignment names partitions 0..n-1 once each, every one replicated on this node alone.</summary>
    private static string? CheckAssignments(List<CreateTopicsRequest.CreatableReplicaAssignment> assignments, int nodeId)
    {
        var seen = new HashSet<int>();
        foreach (var assignment in assignments)
        {
            if (assignment.PartitionIndex < 0 || assignment.PartitionIndex >= assignments.Count || !seen.Add(assignment.PartitionIndex))
            {
                return $"Partitions must be numbered 0 to {assignments.Count - 1}, each once; got partition {assignment.PartitionIndex}.";
            }

            if (assignment.BrokerIds.Count == 0)
            {
                return $"Partition {assignment.PartitionIndex} has an empty replica list.";
            }

            foreach (int replica in assignment.BrokerIds)
            {
                if (replica != nodeId)
                {
                    return $"Partition {assignment.PartitionIndex} is assigned to broker {replica}, but the only broker is {nodeId}.";
                }
            }

            if (assignment.BrokerIds.Count > 1)
            {
                return $"Partition {assignment.PartitionIndex} lists broker {nodeId} more than once.";
            }
        }

        return null;
    }

    private static CreateTopicsResponse.CreatableTopicResult Failed(string name, ErrorCode error, string? message) =>
        new() { Name = name, ErrorCode = (short)error, ErrorMessage = message };
}
