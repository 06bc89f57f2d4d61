namespace FastLog.Protocol;

/// <summary>
/// The per-API version table of this codec (entries generated from the schema into
/// <c>ApiVersionTable.g.cs</c>), with lookup by key.
/// </summary>
public static partial class ApiVersionTable
{
    // Kafka API keys are small and dense (0..87 today); a direct-indexed table avoids hashing on every request.
    private const int MaxApiKeyExclusive = 128;

    // Same file, so this runs before _byKey (initializer order across partial files is unspecified).
    private static readonly ApiVersionRange[] _entries = CreateEntries();

    private static readonly ApiVersionRange?[] _byKey = BuildIndex();

    public static IReadOnlyList<ApiVersionRange> All => _entries;

    public static bool TryGet(ApiKey apiKey, out ApiVersionRange range)
    {
        int index = (int)apiKey;
        if ((uint)index < MaxApiKeyExclusive && _byKey[index] is { } found)
        {
            range = found;
            return true;
        }

        range = default;
        return false;
    }

    public static bool IsSupported(ApiKey apiKey, short version) =>
        TryGet(apiKey, out ApiVersionRange range) && range.Contains(version);

    private static ApiVersionRange?[] BuildIndex()
    {
        var index = new ApiVersionRange?[MaxApiKeyExclusive];
        foreach (ApiVersionRange entry in _entries)
        {
            index[(int)entry.ApiKey] = entry;
        }

        return index;
    }
}
