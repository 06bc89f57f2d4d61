using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Metadata;

namespace FastLog.Server.Requests;

/// <summary>
/// AlterConfigs (key 33), v0-2, the legacy whole-set form: the configs given become the topic's only
/// overrides (any other override is removed), or are only validated with validate_only. Kafka's
/// refusals: a resource named twice, a key given twice or a null value is INVALID_REQUEST; a bad
/// topic value INVALID_CONFIG; broker settings cannot change at run time (INVALID_REQUEST).
/// </summary>
internal sealed class AlterConfigsHandler : IApiHandler
{
    public ApiKey ApiKey => ApiKey.AlterConfigs;

    public short MinVersion => 0;

    public short MaxVersion => 2;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var alter = (AlterConfigsRequest)request;
        var duplicates = AlterConfigsRules.Duplicates(alter.Resources.Select(r => (r.ResourceType, r.ResourceName)));
        var response = new AlterConfigsResponse();
        foreach (var resource in alter.Resources)
        {
            var (error, message) = duplicates.Contains((resource.ResourceType, resource.ResourceName))
                ? (ErrorCode.InvalidRequest, AlterConfigsRules.DuplicateResource)
                : Alter(context, resource, alter.ValidateOnly);
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)error,
                ErrorMessage = message,
            });
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    private static (ErrorCode Error, string? Message) Alter(RequestContext context, AlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        if (AlterConfigsRules.HasDuplicateKeys(resource.Configs.Select(c => c.Name)))
        {
            return (ErrorCode.InvalidRequest, AlterConfigsRules.DuplicateKeys);
        }

        var nullValued = resource.Configs.Where(c => c.Value is null).Select(c => c.Name).ToList();
        if (nullValued.Count > 0)
        {
            return (ErrorCode.InvalidRequest, $"Null value not supported for : {string.Join(", ", nullValued)}");
        }

        switch (resource.ResourceType)
        {
            case ConfigResourceType.Broker:
                return AlterConfigsRules.BrokerChangeProblem(resource.ResourceName, context.Broker.NodeId, [.. resource.Configs.Select(c => c.Name)]) is { } problem
                    ? (ErrorCode.InvalidRequest, problem)
                    : (ErrorCode.None, null);
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(resource.ResourceName) is { } invalid)
                {
                    return (ErrorCode.InvalidTopicException, invalid);
                }

                var changes = resource.Configs.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
                var result = context.Broker.Controller.AlterTopicConfigs(resource.ResourceName, changes, replaceAll: true, validateOnly);
                return (result.Error, result.Message);
            default:
                return (ErrorCode.InvalidRequest, $"Unknown resource type {resource.ResourceType}");
        }
    }
}
