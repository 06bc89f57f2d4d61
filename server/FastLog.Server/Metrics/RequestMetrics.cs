using FastLog.Protocol;

namespace FastLog.Server.Metrics;

/// <summary>
/// Per-API request counters, indexed by the numeric <see cref="ApiKey"/>: the dispatcher finds an
/// API's <see cref="ApiRequestStats"/> with one bounds check and an array load, never a dictionary
/// lookup or a string, so counting costs nothing measurable on the request path.
/// </summary>
/// <remarks>
/// Keys outside the known range, and frames whose header cannot even be read, share one slot
/// labelled <c>unknown</c>. Every slot is created up front; the set never changes afterwards.
/// </remarks>
internal sealed class RequestMetrics
{
    /// <summary>One past the largest API key this protocol library knows.</summary>
    private static readonly int KeySlots = Enum.GetValues<ApiKey>().Max(k => (short)k) + 1;

    private readonly ApiRequestStats[] _byKey;

    public RequestMetrics(IEnumerable<ApiKey> served)
    {
        var servedKeys = served.ToHashSet();
        _byKey = new ApiRequestStats[KeySlots];
        for (int key = 0; key < KeySlots; key++)
        {
            var apiKey = (ApiKey)key;
            string label = Enum.IsDefined(apiKey) ? apiKey.ToString() : key.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _byKey[key] = new ApiRequestStats(label, servedKeys.Contains(apiKey));
        }

        Unknown = new ApiRequestStats("unknown", served: false);
    }

    /// <summary>Frames with an unreadable header or an API key beyond every known one.</summary>
    public ApiRequestStats Unknown { get; }

    /// <summary>All slots, known keys in key order, then <see cref="Unknown"/>.</summary>
    public IEnumerable<ApiRequestStats> All => _byKey.Append(Unknown);

    public ApiRequestStats For(ApiKey key)
    {
        uint index = (uint)(short)key;
        var slots = _byKey;
        return index < (uint)slots.Length ? slots[index] : Unknown;
    }
}
