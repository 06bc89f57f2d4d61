using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// CreatePartitions (key 37), v0-3: raises a topic's partition count (never lowers it), or only
/// validates with validate_only. A manual assignment must give one replica list per new partition,
/// each holding this node alone (the only broker); anything else is INVALID_REPLICA_ASSIGNMENT,
/// Kafka's code for an assignment it cannot place.
/// </summary>
internal sealed class CreatePartitionsHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.CreatePartitions;

    public short MinVersion => 0;

    public short MaxVersion => 3;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var create = (CreatePartitionsRequest)request;
        var duplicates = create.Topics.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var answeredDuplicates = new HashSet<string>(StringComparer.Ordinal);
        var response = new CreatePartitionsResponse();
        foreach (var topic in create.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                if (answeredDuplicates.Add(topic.Name))
                {
                    response.Results.Add(Result(topic.Name, ErrorCode.InvalidRequest, "Duplicate topic name."));
                }

                continue;
            }

            var (error, message) = Increase(context, topic, create.ValidateOnly);
            response.Results.Add(Result(topic.Name, error, message));
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    private static (ErrorCode Error, string? Message) Increase(RequestContext context, CreatePartitionsRequest.CreatePartitionsTopic topic, bool validateOnly)
    {
        var controller = context.Broker.Controller;

        // An unknown topic or a count that does not grow is the controller's answer, checked before the assignment (as Kafka orders it).
        if (topic.Assignments is not null && controller.Image.TryGetTopic(topic.Name, out var current) && topic.Count > current.Partitions.Length)
        {
            int added = topic.Count - current.Partitions.Length;
            if (topic.Assignments.Count != added)
            {
                return (ErrorCode.InvalidReplicaAssignment, $"{added} partitions are added, but the assignment lists {topic.Assignments.Count}.");
            }

            int nodeId = context.Broker.NodeId;
            foreach (var assignment in topic.Assignments)
            {
                if (assignment.BrokerIds.Count != 1 || assignment.BrokerIds[0] != nodeId)
                {
                    return (ErrorCode.InvalidReplicaAssignment, $"Each new partition must have exactly one replica, broker {nodeId} (the only broker and the topic's replication factor of 1); got [{string.Join(", ", assignment.BrokerIds)}].");
                }
            }
        }

        var result = controller.CreatePartitions(topic.Name, topic.Count, validateOnly);
        return (result.Error, result.Message);
    }

    private static CreatePartitionsResponse.CreatePartitionsTopicResult Result(string name, ErrorCode error, string? message) =>
        new() { Name = name, ErrorCode = (short)error, ErrorMessage = message };
}
