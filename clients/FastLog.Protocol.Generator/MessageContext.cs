namespace FastLog.Protocol.Generator;

/// <summary>
/// Per-message facts the emitters share: version bounds for simplifying conditions, the flexible
/// threshold, and the nested struct classes (deduplicated by name, renamed on clashes).
/// </summary>
internal sealed class MessageContext
{
    public MessageContext(MessageSpec message)
    {
        Message = message;
        var topLevelNames = message.Fields.Select(f => f.Name).ToHashSet();
        topLevelNames.Add(message.Name);
        CollectStructs(message.Fields, topLevelNames);
    }

    public MessageSpec Message { get; }

    /// <summary>Struct classes nested in the message class, in first-use order.</summary>
    public List<(string Name, List<FieldSpec> Fields)> Structs { get; } = [];

    public int Lo => Message.Versions.Min;

    public int Hi => Message.Versions.Max;

    public bool HasFlexible => Message.FlexibleFrom is not null;

    public string FlexibleExpression => Message.FlexibleFrom is int from
        ? (from <= Lo ? "true" : $"version >= {from}")
        : "false";

    public string Qualified(string structName) => $"global::FastLog.Protocol.Messages.{Message.Name}.{structName}";

    /// <summary>C# condition for "version in range", simplified against the message's range.</summary>
    public string InRange(VersionRange range)
    {
        var parts = new List<string>();
        if (range.Min > Lo)
        {
            parts.Add($"version >= {range.Min}");
        }

        if (range.Max < Hi)
        {
            parts.Add($"version <= {range.Max}");
        }

        if (range.Min > Hi || range.Max < Lo)
        {
            return "false";
        }

        return parts.Count == 0 ? "true" : string.Join(" && ", parts);
    }

    /// <summary>Condition under which the field is encoded positionally (present and not tagged).</summary>
    public string Positional(FieldSpec field)
    {
        string present = InRange(field.Versions);
        if (field.Tagged is not VersionRange tagged)
        {
            return present;
        }

        if (tagged.Covers(field.Versions))
        {
            return "false";
        }

        return And(present, $"!({InRange(tagged)})");
    }

    public string NullableCondition(FieldSpec field) =>
        field.Nullable is VersionRange range ? InRange(range) : "false";

    public static string And(string left, string right) =>
        left == "true" ? right : right == "true" ? left : $"{left} && {right}";

    /// <summary>
    /// Lower bound on the encoded size of one struct at any version in range with the given encoding, used to
    /// reject array counts that cannot fit before a list is allocated.
    /// </summary>
    public int MinBytes(List<FieldSpec> fields, bool flexible)
    {
        int total = flexible ? 1 : 0;
        var all = new VersionRange(Lo, Hi);
        foreach (FieldSpec field in fields)
        {
            if (!field.Versions.Covers(all) || field.Tagged is not null)
            {
                continue;
            }

            total += MinFieldBytes(field, flexible);
        }

        return Math.Max(1, total);
    }

    /// <summary>C# expression for the minimum element size of an array field, by encoding.</summary>
    public string MinElementBytesExpression(FieldSpec field)
    {
        int classic = MinElementBytes(field, flexible: false);
        int compact = MinElementBytes(field, flexible: true);
        return Message.FlexibleFrom is null ? classic.ToString()
            : Message.FlexibleFrom <= Lo ? compact.ToString()
            : classic == compact ? classic.ToString() : $"flexible ? {compact} : {classic}";
    }

    private int MinElementBytes(FieldSpec field, bool flexible)
    {
        if (field.IsStruct)
        {
            return MinBytes(field.Children, flexible);
        }

        int fixedSize = SchemaTypes.FixedSize(field.ElementType);
        return fixedSize > 0 ? fixedSize : (!flexible && field.ElementType == "string" ? 2 : !flexible && field.ElementType == "bytes" ? 4 : 1);
    }

    private int MinFieldBytes(FieldSpec field, bool flexible)
    {
        if (field.IsArray)
        {
            return flexible ? 1 : 4;
        }

        if (field.IsStruct)
        {
            return MinBytes(field.Children, flexible);
        }

        int fixedSize = SchemaTypes.FixedSize(field.Type);
        if (fixedSize > 0)
        {
            return fixedSize;
        }

        return flexible ? 1 : field.Type == "string" ? 2 : 4;
    }

    private void CollectStructs(List<FieldSpec> fields, HashSet<string> reserved)
    {
        foreach (FieldSpec field in fields)
        {
            if (!field.IsStruct)
            {
                continue;
            }

            string name = field.ElementType;
            if (reserved.Contains(name) || field.Children.Exists(c => c.Name == name))
            {
                name += "Data";
            }

            int existing = Structs.FindIndex(s => s.Name == name);
            if (existing >= 0 && !SameShape(Structs[existing].Fields, field.Children))
            {
                // Same Kafka struct name reused with a different shape (e.g. version-clipped differently).
                int suffix = 2;
                while (Structs.Exists(s => s.Name == name + suffix))
                {
                    suffix++;
                }

                name += suffix;
                existing = -1;
            }

            field.StructName = name;
            if (existing < 0)
            {
                Structs.Add((name, field.Children));
            }

            CollectStructs(field.Children, reserved);
        }
    }

    private static bool SameShape(List<FieldSpec> left, List<FieldSpec> right) =>
        left.Count == right.Count && left.Zip(right).All(p =>
            p.First.Name == p.Second.Name && p.First.Type == p.Second.Type && p.First.Versions == p.Second.Versions
            && p.First.Nullable == p.Second.Nullable && p.First.Tag == p.Second.Tag && p.First.Default == p.Second.Default
            && SameShape(p.First.Children, p.Second.Children));
}
