using FastLog.Server.Configuration;

namespace FastLog.Server.Requests;

/// <summary>
/// The config entries that DescribeConfigs and CreateTopics (v5+) report: for a topic every known
/// topic setting with the value in force, and for this broker every broker setting. Shared so both
/// APIs describe a topic identically.
/// </summary>
internal static class ConfigDescriptions
{
    /// <summary>One reported setting; <see cref="Synonyms"/> lists where the value could come from, the one in force first.</summary>
    public sealed record Entry(string Name, string? Value, ConfigSource Source, bool ReadOnly, bool Sensitive, ConfigDefinition Definition, IReadOnlyList<(string Name, string? Value, ConfigSource Source)> Synonyms);

    public static IEnumerable<Entry> ForTopic(IReadOnlyDictionary<string, string> overrides, BrokerConfig broker)
    {
        foreach (var (definition, brokerSynonym) in TopicConfigDefinitions.All.OrderBy(d => d.Definition.Name, StringComparer.Ordinal))
        {
            var (value, source) = TopicConfigDefinitions.Resolve(definition.Name, overrides, broker);
            bool sensitive = definition.Type == ConfigType.Password;
            yield return new Entry(definition.Name, sensitive ? null : value, source, ReadOnly: false, sensitive, definition, TopicSynonyms(definition, brokerSynonym, overrides, broker));
        }
    }

    public static IEnumerable<Entry> ForBroker(BrokerConfig broker)
    {
        foreach (var definition in BrokerConfigDefinitions.All.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            bool explicitlySet = broker.ExplicitValues.TryGetValue(definition.Name, out string? configured);
            bool sensitive = definition.Type == ConfigType.Password;
            var synonyms = new List<(string, string?, ConfigSource)>();
            if (explicitlySet)
            {
                synonyms.Add((definition.Name, sensitive ? null : configured, ConfigSource.BrokerOverride));
            }

            if (definition.DefaultValue is not null)
            {
                synonyms.Add((definition.Name, sensitive ? null : definition.DefaultValue, ConfigSource.Default));
            }

            // Broker settings cannot be changed at run time (no dynamic broker configs yet), hence read-only.
            yield return new Entry(
                definition.Name,
                sensitive ? null : broker.Get(definition.Name),
                explicitlySet ? ConfigSource.BrokerOverride : ConfigSource.Default,
                ReadOnly: true,
                sensitive,
                definition,
                synonyms);
        }
    }

    /// <summary>Kafka's ConfigType numbering in DescribeConfigs v3+ (0 is UNKNOWN, 8 CLASS).</summary>
    public static sbyte KafkaConfigType(ConfigType type) => type switch
    {
        ConfigType.Boolean => 1,
        ConfigType.String => 2,
        ConfigType.Int => 3,
        ConfigType.Short => 4,
        ConfigType.Long => 5,
        ConfigType.Double => 6,
        ConfigType.List => 7,
        ConfigType.Password => 9,
        _ => 0,
    };

    private static List<(string Name, string? Value, ConfigSource Source)> TopicSynonyms(ConfigDefinition definition, string? brokerSynonym, IReadOnlyDictionary<string, string> overrides, BrokerConfig broker)
    {
        var synonyms = new List<(string, string?, ConfigSource)>();
        if (overrides.TryGetValue(definition.Name, out string? topicValue))
        {
            synonyms.Add((definition.Name, topicValue, ConfigSource.TopicOverride));
        }

        // Two topic settings derive from several broker settings (ms, minutes, hours), listed in
        // Kafka's precedence order; the last one carries the built-in default.
        string[] brokerNames = definition.Name switch
        {
            "retention.ms" => ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
            "segment.ms" => ["log.roll.ms", "log.roll.hours"],
            _ => brokerSynonym is null ? [] : [brokerSynonym],
        };
        foreach (string name in brokerNames)
        {
            if (broker.ExplicitValues.TryGetValue(name, out string? value))
            {
                synonyms.Add((name, value, ConfigSource.BrokerOverride));
            }
        }

        if (brokerNames.Length > 0 && BrokerConfigDefinitions.TryGet(brokerNames[^1], out var last) && last.DefaultValue is not null)
        {
            synonyms.Add((last.Name, last.DefaultValue, ConfigSource.Default));
        }
        else
        {
            synonyms.Add((brokerNames.Length > 0 ? brokerNames[^1] : definition.Name, definition.DefaultValue, ConfigSource.Default));
        }

        return synonyms;
    }
}
