namespace FastLog.Protocol.Generator;

/// <summary>C# types, initializers and "differs from default" tests for schema fields.</summary>
internal static class FieldTypes
{
    public static bool IsNullableProperty(FieldSpec field) =>
        (field.IsStruct && !field.IsArray && field.Tagged is not null)
        || (field.Nullable is not null && field.Type != "records" && SchemaTypes.FixedSize(field.Type) == 0
            && (field.IsArray || field.Type is "string" or "bytes"));

    public static string ElementClr(MessageContext context, FieldSpec field) =>
        field.IsStruct ? context.Qualified(field.StructName) : SchemaTypes.ClrScalar(field.ElementType);

    public static string PropertyType(MessageContext context, FieldSpec field)
    {
        string type = field.IsArray
            ? $"List<{ElementClr(context, field)}>"
            : ElementClr(context, field);
        return IsNullableProperty(field) ? type + "?" : type;
    }

    /// <summary>Property initializer (without " = "), or null for the CLR default.</summary>
    public static string? Initializer(FieldSpec field)
    {
        if (field.IsArray)
        {
            return field.Default == "null" ? null : "[]";
        }

        if (field.IsStruct)
        {
            return field.Tagged is null ? "new()" : null;
        }

        return field.Type switch
        {
            "string" => field.Default is null ? "string.Empty" : field.Default == "null" ? null : field.Default,
            "bytes" => field.Default == "null" ? null : "[]",
            "records" or "uuid" => null,
            "bool" => field.Default is null or "false" ? null : "true",
            _ => field.Default is null or "0" ? null : field.Default,
        };
    }

    /// <summary>Condition under which a tagged field differs from its default and must be written.</summary>
    public static string DiffersFromDefault(FieldSpec field)
    {
        string name = field.Name;
        if (field.IsArray)
        {
            return field.Default == "null" ? $"{name} is not null" : $"{name} is {{ Count: > 0 }}";
        }

        if (field.IsStruct)
        {
            return $"{name} is not null";
        }

        string? initializer = Initializer(field);
        return field.Type switch
        {
            "string" => initializer is null ? $"{name} is not null" : $"{name} != {initializer}",
            "bytes" => initializer is null ? $"{name} is not null" : $"{name} is {{ Length: > 0 }}",
            "records" => $"!{name}.IsNull",
            "uuid" => $"{name} != Guid.Empty",
            "bool" => initializer is null ? name : $"!{name}",
            _ => $"{name} != {initializer ?? "0"}",
        };
    }
}
