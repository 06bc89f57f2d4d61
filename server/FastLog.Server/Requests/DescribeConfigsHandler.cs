using System.Globalization;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Metadata;

namespace FastLog.Server.Requests;

/// <summary>
/// DescribeConfigs (key 32), v1-4. A TOPIC resource lists every topic setting with the value in
/// force and its source (topic override, broker setting, built-in default), writable; a BROKER
/// resource named by this node's id lists every broker setting, read-only. A null or empty key list
/// means every key, as in Kafka. Synonyms when asked
/// (v1+), type and documentation from v3. Kafka's rules for the rest: an empty broker name is the
/// cluster-wide dynamic default, which FastLog does not have (so an empty list); another broker id,
/// a non-numeric one or an unsupported resource type is INVALID_REQUEST.
/// </summary>
internal sealed class DescribeConfigsHandler : IApiHandler
{
    private const short FirstVersionWithTypes = 3;

    public ApiKey ApiKey => ApiKey.DescribeConfigs;

    public short MinVersion => 1;

    public short MaxVersion => 4;

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, IKafkaMessage request)
    {
        var describe = (DescribeConfigsRequest)request;
        var response = new DescribeConfigsResponse();
        foreach (var resource in describe.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = resource.ResourceType, ResourceName = resource.ResourceName, ErrorMessage = null };
            response.Results.Add(result);
            var (error, message, entries) = Entries(context, resource);
            result.ErrorCode = (short)error;
            result.ErrorMessage = message;
            if (entries is null)
            {
                continue;
            }

            // Kafka reads an empty key list like a null one: every key.
            var wanted = resource.ConfigurationKeys is null or { Count: 0 } ? null : new HashSet<string>(resource.ConfigurationKeys, StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                if (wanted is not null && !wanted.Contains(entry.Name))
                {
                    continue;
                }

                var described = new DescribeConfigsResponse.DescribeConfigsResourceResult
                {
                    Name = entry.Name,
                    Value = entry.Value,
                    ReadOnly = entry.ReadOnly,
                    ConfigSource = (sbyte)entry.Source,
                    IsSensitive = entry.Sensitive,
                    ConfigType = ConfigDescriptions.KafkaConfigType(entry.Definition.Type),
                    Documentation = context.ApiVersion >= FirstVersionWithTypes && describe.IncludeDocumentation ? entry.Definition.Documentation : null,
                };
                if (describe.IncludeSynonyms)
                {
                    foreach (var (name, value, source) in entry.Synonyms)
                    {
                        described.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym { Name = name, Value = value, Source = (sbyte)source });
                    }
                }

                result.Configs.Add(described);
            }
        }

        return ValueTask.FromResult<IKafkaMessage?>(response);
    }

    private static (ErrorCode Error, string? Message, IEnumerable<ConfigDescriptions.Entry>? Entries) Entries(RequestContext context, DescribeConfigsRequest.DescribeConfigsResource resource)
    {
        var broker = context.Broker;
        switch (resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(resource.ResourceName) is { } invalid)
                {
                    return (ErrorCode.InvalidTopicException, invalid, null);
                }

                if (!broker.Controller.Image.TryGetTopic(resource.ResourceName, out var topic))
                {
                    return (ErrorCode.UnknownTopicOrPartition, $"Topic '{resource.ResourceName}' does not exist.", null);
                }

                return (ErrorCode.None, null, ConfigDescriptions.ForTopic(topic.Configs, broker.Config));
            case ConfigResourceType.Broker:
                if (resource.ResourceName.Length == 0)
                {
                    // The cluster-wide dynamic defaults: FastLog has no dynamic broker configs.
                    return (ErrorCode.None, null, []);
                }

                if (!int.TryParse(resource.ResourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int brokerId))
                {
                    return (ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {resource.ResourceName}", null);
                }

                if (brokerId != broker.NodeId)
                {
                    return (ErrorCode.InvalidRequest, $"Unexpected broker id, expected {broker.NodeId} or empty string, but received {resource.ResourceName}", null);
                }

                return (ErrorCode.None, null, ConfigDescriptions.ForBroker(broker.Config));
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported resource type: {resource.ResourceType}", null);
        }
    }
}
