using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Configuration;
using FastLog.Server.Metadata;

namespace FastLog.Server.Requests;

/// <summary>
/// IncrementalAlterConfigs (key 44), v0-1: per key SET (0), DELETE (1, back to the broker default),
/// APPEND (2) and SUBTRACT (3) for list settings such as cleanup.policy, starting from the value in
/// force. Other keys keep their overrides. validate_only checks without committing. Refusals follow
/// Kafka: a resource named twice, a key given twice or an unknown operation is INVALID_REQUEST;
/// APPEND/SUBTRACT on a non-list key or a bad value INVALID_CONFIG; broker settings cannot change at
/// run time (INVALID_REQUEST).
/// </summary>
internal sealed class IncrementalAlterConfigsHandler : IApiHandler
{
    private const sbyte Set = 0;
    private const sbyte Delete = 1;
    private const sbyte Append = 2;
    private const sbyte Subtract = 3;

    public ApiKey ApiKey => ApiKey.IncrementalAlterConfigs;

    public short MinVersion => 0;

    public short MaxVersion => 1;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var alter = (IncrementalAlterConfigsRequest)request;
        var duplicates = AlterConfigsRules.Duplicates(alter.Resources.Select(r => (r.ResourceType, r.ResourceName)));
        var response = new IncrementalAlterConfigsResponse();
        foreach (var resource in alter.Resources)
        {
            var (error, message) = duplicates.Contains((resource.ResourceType, resource.ResourceName))
                ? (ErrorCode.InvalidRequest, AlterConfigsRules.DuplicateResource)
                : Alter(context, resource, alter.ValidateOnly);
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)error,
                ErrorMessage = message,
            });
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    private static (ErrorCode Error, string? Message) Alter(RequestContext context, IncrementalAlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        if (AlterConfigsRules.HasDuplicateKeys(resource.Configs.Select(c => c.Name)))
        {
            return (ErrorCode.InvalidRequest, AlterConfigsRules.DuplicateKeys);
        }

        if (resource.Configs.FirstOrDefault(c => c.ConfigOperation is < Set or > Subtract) is { } unknownOp)
        {
            return (ErrorCode.InvalidRequest, $"Unknown operations type {unknownOp.ConfigOperation}");
        }

        switch (resource.ResourceType)
        {
            case ConfigResourceType.Broker:
                return AlterConfigsRules.BrokerChangeProblem(resource.ResourceName, context.Broker.NodeId, [.. resource.Configs.Select(c => c.Name)]) is { } problem
                    ? (ErrorCode.InvalidRequest, problem)
                    : (ErrorCode.None, null);
            case ConfigResourceType.Topic:
                return AlterTopic(context, resource, validateOnly);
            default:
                return (ErrorCode.InvalidRequest, $"Unknown resource type {resource.ResourceType}");
        }
    }

    private static (ErrorCode Error, string? Message) AlterTopic(RequestContext context, IncrementalAlterConfigsRequest.AlterConfigsResource resource, bool validateOnly)
    {
        if (TopicNames.Validate(resource.ResourceName) is { } invalid)
        {
            return (ErrorCode.InvalidTopicException, invalid);
        }

        var broker = context.Broker;
        if (!broker.Controller.Image.TryGetTopic(resource.ResourceName, out var topic))
        {
            return (ErrorCode.UnknownTopicOrPartition, $"topic '{resource.ResourceName}' does not exist");
        }

        // The new overrides are computed from this image; the controller validates and commits them.
        // A concurrent change to the same list key between the two can be lost (last writer wins, as
        // with two admins racing in Kafka).
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var config in resource.Configs)
        {
            switch (config.ConfigOperation)
            {
                case Set:
                    if (config.Value is null)
                    {
                        return (ErrorCode.InvalidRequest, $"Null value not supported for : {config.Name}");
                    }

                    changes[config.Name] = config.Value;
                    break;
                case Delete:
                    changes[config.Name] = null;
                    break;
                default:
                    if (!TopicConfigDefinitions.TryGet(config.Name, out var definition))
                    {
                        return (ErrorCode.InvalidConfig, $"unknown topic config '{config.Name}'");
                    }

                    if (definition.Type != ConfigType.List)
                    {
                        string op = config.ConfigOperation == Append ? "APPEND" : "SUBTRACT";
                        return (ErrorCode.InvalidConfig, $"Can't {op} to key {config.Name} because its type is not LIST.");
                    }

                    if (config.Value is null)
                    {
                        return (ErrorCode.InvalidRequest, $"Null value not supported for : {config.Name}");
                    }

                    string current = TopicConfigDefinitions.Resolve(config.Name, topic.Configs, broker.Config).Value ?? string.Empty;
                    changes[config.Name] = Combine(current, config.Value, config.ConfigOperation == Append);
                    break;
            }
        }

        var result = broker.Controller.AlterTopicConfigs(resource.ResourceName, changes, replaceAll: false, validateOnly);
        return (result.Error, result.Message);
    }

    /// <summary>APPEND adds the items not already present; SUBTRACT removes every given item.</summary>
    private static string Combine(string current, string operand, bool append)
    {
        var items = Split(current);
        var given = Split(operand);
        if (append)
        {
            items.AddRange(given.Where(g => !items.Contains(g, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal));
        }
        else
        {
            items.RemoveAll(i => given.Contains(i, StringComparer.Ordinal));
        }

        return string.Join(",", items);
    }

    private static List<string> Split(string list) =>
        [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}
