using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Requests;

/// <summary>
/// DeleteTopics (key 20), v1-6: by name, and from v6 by topic id (name null). The controller commits
/// the removal; the partition manager then deletes the logs. A name or id given twice is refused
/// with INVALID_REQUEST (as Kafka does), an unknown id with UNKNOWN_TOPIC_ID.
/// </summary>
internal sealed class DeleteTopicsHandler : IApiHandler
{
    private const short FirstVersionWithTopicIds = 6;

    public ApiKey ApiKey => ApiKey.DeleteTopics;

    public short MinVersion => 1;

    public short MaxVersion => 6;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var delete = (DeleteTopicsRequest)request;
        var requested = context.ApiVersion >= FirstVersionWithTopicIds
            ? delete.Topics.Select(t => (t.Name, t.TopicId)).ToList()
            : delete.TopicNames.Select(n => ((string?)n, Guid.Empty)).ToList();
        var duplicateNames = requested.Where(t => t.Item1 is not null).GroupBy(t => t.Item1!, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var duplicateIds = requested.Where(t => t.Item2 != Guid.Empty).GroupBy(t => t.Item2).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();

        var response = new DeleteTopicsResponse();
        foreach (var (name, topicId) in requested)
        {
            var answer = new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = topicId };
            response.Responses.Add(answer);
            var (error, message) = Delete(context, name, topicId, duplicateNames, duplicateIds, answer);
            answer.ErrorCode = (short)error;
            answer.ErrorMessage = message;
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    private static (ErrorCode Error, string? Message) Delete(RequestContext context, string? name, Guid topicId, HashSet<string> duplicateNames, HashSet<Guid> duplicateIds, DeleteTopicsResponse.DeletableTopicResult answer)
    {
        var image = context.Broker.Controller.Image;
        if (topicId != Guid.Empty)
        {
            if (name is not null)
            {
                return (ErrorCode.InvalidRequest, "Give either a topic name or a topic id, not both.");
            }

            if (duplicateIds.Contains(topicId))
            {
                return (ErrorCode.InvalidRequest, "Duplicate topic id.");
            }

            if (!image.TopicNamesById.TryGetValue(topicId, out string? byId))
            {
                return (ErrorCode.UnknownTopicId, $"No topic with id {topicId}.");
            }

            name = byId;
            answer.Name = name;
        }
        else if (name is null)
        {
            return (ErrorCode.InvalidRequest, "Neither a topic name nor a topic id was given.");
        }
        else if (duplicateNames.Contains(name))
        {
            return (ErrorCode.InvalidRequest, "Duplicate topic name.");
        }
        else if (image.TryGetTopic(name, out var known))
        {
            answer.TopicId = known.TopicId;
        }

        var result = context.Broker.Controller.DeleteTopic(name);
        return (result.Error, result.Message);
    }
}
