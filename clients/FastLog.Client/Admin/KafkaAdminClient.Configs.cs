using System.Globalization;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Admin;

/// <summary>Configs: describe, incremental alter, legacy alter. Broker resources go to that broker, topics to the controller.</summary>
public sealed partial class KafkaAdminClient
{
    /// <summary>Describes the configs of topics and brokers: every setting with its value, source, and read-only and sensitive flags.</summary>
    /// <param name="resources">Topics (<see cref="ConfigResource.Topic"/>) and brokers (<see cref="ConfigResource.Broker"/>).</param>
    /// <param name="includeSynonyms">Also report where else each value could come from.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Each resource's entries, ordered by name.</returns>
    /// <exception cref="KafkaException">A topic does not exist (<see cref="ErrorCode.UnknownTopicOrPartition"/>), or a resource was refused.</exception>
    /// <exception cref="ArgumentException">A broker resource is not named by a node id.</exception>
    public async Task<IReadOnlyDictionary<ConfigResource, IReadOnlyList<ConfigEntry>>> DescribeConfigsAsync(
        IEnumerable<ConfigResource> resources,
        bool includeSynonyms = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        List<ConfigResource> all = [.. resources];
        all.ForEach(CheckResource);
        IReadOnlyList<IReadOnlyList<ConfigEntry>> described = await RunAsync<ConfigResource, IReadOnlyList<ConfigEntry>>(
            "DescribeConfigs",
            all,
            (pending, ct) => FanOutAsync<ConfigResource, IReadOnlyList<ConfigEntry>>(pending, ConfigTargetAsync, async (target, keys, ct2) =>
            {
                short version = target.Connection.PickVersion(ApiKey.DescribeConfigs, 1, 4);
                var request = new DescribeConfigsRequest
                {
                    IncludeSynonyms = includeSynonyms,
                    Resources = [.. keys.Select(r => new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = (sbyte)r.Type, ResourceName = r.Name, ConfigurationKeys = null })],
                };
                var response = await target.Connection.SendAsync<DescribeConfigsResponse>(request, version, ct2).ConfigureAwait(false);
                var outcomes = new Dictionary<ConfigResource, ItemOutcome<IReadOnlyList<ConfigEntry>>>();
                foreach (DescribeConfigsResponse.DescribeConfigsResult r in response.Results)
                {
                    var resource = new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName);
                    outcomes[resource] = Outcome<IReadOnlyList<ConfigEntry>>(r.ErrorCode, AdminErrors.Resource(resource), r.ErrorMessage, () =>
                        [.. r.Configs.Select(ToEntry).OrderBy(e => e.Name, StringComparer.Ordinal)]);
                }

                return outcomes;
            }, ct),
            null,
            cancellationToken).ConfigureAwait(false);
        var byResource = new Dictionary<ConfigResource, IReadOnlyList<ConfigEntry>>();
        List<ConfigResource> distinct = [.. all.Distinct()];
        for (int i = 0; i < distinct.Count; i++)
        {
            byResource[distinct[i]] = described[i];
        }

        return byResource;
    }

    /// <summary>
    /// Changes some configs of one resource, leaving the others as they are: set a value, delete an override, or
    /// append to / subtract from a list setting (IncrementalAlterConfigs).
    /// </summary>
    /// <exception cref="KafkaException">
    /// The resource does not exist, a value is invalid (<see cref="ErrorCode.InvalidConfig"/>), or the setting cannot be
    /// changed at run time (<see cref="ErrorCode.InvalidRequest"/>).
    /// </exception>
    public async Task IncrementalAlterConfigsAsync(
        ConfigResource resource,
        IEnumerable<AlterConfigOp> operations,
        bool validateOnly = false,
        CancellationToken cancellationToken = default)
    {
        CheckResource(resource);
        ArgumentNullException.ThrowIfNull(operations);
        List<AlterConfigOp> ops = [.. operations];
        await RunAsync<ConfigResource, bool>(
            "IncrementalAlterConfigs",
            [resource],
            async (pending, ct) =>
            {
                AdminTarget target = await ConfigTargetAsync(resource, ct).ConfigureAwait(false);
                short version = target.Connection.PickVersion(ApiKey.IncrementalAlterConfigs, 0, 1);
                var request = new IncrementalAlterConfigsRequest
                {
                    ValidateOnly = validateOnly,
                    Resources =
                    [
                        new IncrementalAlterConfigsRequest.AlterConfigsResource
                        {
                            ResourceType = (sbyte)resource.Type,
                            ResourceName = resource.Name,
                            Configs = [.. ops.Select(o => new IncrementalAlterConfigsRequest.AlterableConfig { Name = o.Name, ConfigOperation = (sbyte)o.Operation, Value = o.Value })],
                        },
                    ],
                };
                var response = await target.Connection.SendAsync<IncrementalAlterConfigsResponse>(request, version, ct).ConfigureAwait(false);
                return response.Responses.ToDictionary(
                    r => new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName),
                    r => Outcome(r.ErrorCode, AdminErrors.Resource(resource), r.ErrorMessage, () => true));
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces all overrides of one resource with <paramref name="configs"/> (the legacy AlterConfigs: overrides not
    /// listed are removed). Prefer <see cref="IncrementalAlterConfigsAsync"/>, which changes only what it names.
    /// </summary>
    /// <exception cref="KafkaException">As for <see cref="IncrementalAlterConfigsAsync"/>.</exception>
    public async Task AlterConfigsAsync(
        ConfigResource resource,
        IReadOnlyDictionary<string, string> configs,
        bool validateOnly = false,
        CancellationToken cancellationToken = default)
    {
        CheckResource(resource);
        ArgumentNullException.ThrowIfNull(configs);
        await RunAsync<ConfigResource, bool>(
            "AlterConfigs",
            [resource],
            async (pending, ct) =>
            {
                AdminTarget target = await ConfigTargetAsync(resource, ct).ConfigureAwait(false);
                short version = target.Connection.PickVersion(ApiKey.AlterConfigs, 0, 2);
                var request = new AlterConfigsRequest
                {
                    ValidateOnly = validateOnly,
                    Resources =
                    [
                        new AlterConfigsRequest.AlterConfigsResource
                        {
                            ResourceType = (sbyte)resource.Type,
                            ResourceName = resource.Name,
                            Configs = [.. configs.Select(kv => new AlterConfigsRequest.AlterableConfig { Name = kv.Key, Value = kv.Value })],
                        },
                    ],
                };
                var response = await target.Connection.SendAsync<AlterConfigsResponse>(request, version, ct).ConfigureAwait(false);
                return response.Responses.ToDictionary(
                    r => new ConfigResource((ConfigResourceType)r.ResourceType, r.ResourceName),
                    r => Outcome(r.ErrorCode, AdminErrors.Resource(resource), r.ErrorMessage, () => true));
            },
            null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A broker's own settings are only known to that broker; topic configs live with the controller.</summary>
    private async Task<AdminTarget> ConfigTargetAsync(ConfigResource resource, CancellationToken cancellationToken)
    {
        if (resource.Type is ConfigResourceType.Broker or ConfigResourceType.BrokerLogger && resource.Name.Length > 0)
        {
            int nodeId = int.Parse(resource.Name, NumberStyles.None, CultureInfo.InvariantCulture);
            return new AdminTarget(nodeId, await _cluster.GetAsync(nodeId, cancellationToken).ConfigureAwait(false));
        }

        return await ControllerAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void CheckResource(ConfigResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource.Name, nameof(resource));
        if (resource.Type is ConfigResourceType.Broker or ConfigResourceType.BrokerLogger
            && resource.Name.Length > 0
            && !int.TryParse(resource.Name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"A broker is named by its node id, not '{resource.Name}'.", nameof(resource));
        }

        if (resource.Type == ConfigResourceType.Topic && resource.Name.Length == 0)
        {
            throw new ArgumentException("A topic resource needs a topic name.", nameof(resource));
        }
    }

    private static ConfigEntry ToEntry(DescribeConfigsResponse.DescribeConfigsResourceResult c) => new(
        c.Name,
        c.Value,
        (ConfigSource)c.ConfigSource,
        c.ReadOnly,
        c.IsSensitive,
        [.. c.Synonyms.Select(s => new ConfigSynonym(s.Name, s.Value, (ConfigSource)s.Source))]);
}
