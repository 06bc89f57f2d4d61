namespace FastLog.Protocol;

/// <summary>
/// What the codec implements for one API: the inclusive version range and the first flexible version
/// (which decides the header versions; -1 = never flexible). What a broker advertises may differ.
/// </summary>
public readonly record struct ApiVersionRange(ApiKey ApiKey, short MinVersion, short MaxVersion, short FirstFlexibleVersion)
{
    public bool Contains(short version) => version >= MinVersion && version <= MaxVersion;

    /// <summary>Flexible-ness also holds above <see cref="MaxVersion"/>: Kafka's "N+" ranges are open-ended.</summary>
    public bool IsFlexible(short version) => FirstFlexibleVersion >= 0 && version >= FirstFlexibleVersion;
}
