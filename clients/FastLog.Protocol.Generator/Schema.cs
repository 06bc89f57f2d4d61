namespace FastLog.Protocol.Generator;

/// <summary>One field of the project's schema; struct and array-of-struct fields carry their children.</summary>
internal sealed class FieldSpec
{
    public required string Name { get; init; }

    /// <summary>Schema type: int8..int64, uint16, float64, bool, uuid, string, bytes, records, []T, or a struct name.</summary>
    public required string Type { get; init; }

    public required VersionRange Versions { get; init; }

    public VersionRange? Nullable { get; init; }

    public int? Tag { get; init; }

    public VersionRange? Tagged { get; init; }

    public string? Default { get; init; }

    public List<FieldSpec> Children { get; } = [];

    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);

    public string ElementType => IsArray ? Type[2..] : Type;

    public bool IsStruct => Children.Count > 0 || !SchemaTypes.IsPrimitive(ElementType);

    /// <summary>The struct class name, for struct and struct-array fields; may be renamed to avoid clashes.</summary>
    public string StructName { get; set; } = string.Empty;
}

/// <summary>A request or response body.</summary>
internal sealed class MessageSpec
{
    public required string Kind { get; init; }

    public required string Name { get; init; }

    public required int ApiKey { get; init; }

    public required VersionRange Versions { get; init; }

    /// <summary>First flexible version, or null when no version in range is flexible.</summary>
    public int? FlexibleFrom { get; init; }

    public List<FieldSpec> Fields { get; } = [];

    public bool IsRequest => Kind == "request";

    public string ApiName => Name[..^(IsRequest ? "Request".Length : "Response".Length)];
}

internal static class SchemaTypes
{
    private static readonly HashSet<string> _primitives =
        ["int8", "int16", "int32", "int64", "uint16", "float64", "bool", "uuid", "string", "bytes", "records"];

    public static bool IsPrimitive(string type) => _primitives.Contains(type);

    /// <summary>Fixed wire size of a scalar, or 0 for variable-length types.</summary>
    public static int FixedSize(string type) => type switch
    {
        "int8" or "bool" => 1,
        "int16" or "uint16" => 2,
        "int32" => 4,
        "int64" or "float64" => 8,
        "uuid" => 16,
        _ => 0,
    };

    public static string ClrScalar(string type) => type switch
    {
        "int8" => "sbyte",
        "int16" => "short",
        "int32" => "int",
        "int64" => "long",
        "uint16" => "ushort",
        "float64" => "double",
        "bool" => "bool",
        "uuid" => "Guid",
        "string" => "string",
        "bytes" => "byte[]",
        "records" => "KafkaRecords",
        _ => throw new InvalidOperationException($"Not a primitive: {type}"),
    };

    public static string ReaderMethod(string type) => type switch
    {
        "int8" => "ReadInt8",
        "int16" => "ReadInt16",
        "int32" => "ReadInt32",
        "int64" => "ReadInt64",
        "uint16" => "ReadUInt16",
        "float64" => "ReadFloat64",
        "bool" => "ReadBool",
        "uuid" => "ReadUuid",
        _ => throw new InvalidOperationException($"Not a scalar: {type}"),
    };
}
