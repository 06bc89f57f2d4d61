namespace FastLog.Protocol;

/// <summary>
/// Which header version goes with a message version: flexible requests use request header v2 (else v1),
/// flexible responses use response header v1 (else v0) — except ApiVersions responses, which always use
/// header v0 so a client that does not yet know the broker's versions can read them (KIP-511).
/// </summary>
public static class ApiHeaderVersions
{
    /// <summary>
    /// Request header version. Unknown APIs get v1: enough to read the correlation id and client id and
    /// answer or close the connection. Versions above the codec's maximum still follow the open-ended
    /// flexible rule, so an ApiVersions v5 header is parsed as v2.
    /// </summary>
    public static short Request(ApiKey apiKey, short apiVersion) =>
        ApiVersionTable.TryGet(apiKey, out ApiVersionRange range) && range.IsFlexible(apiVersion) ? (short)2 : (short)1;

    public static short Response(ApiKey apiKey, short apiVersion)
    {
        if (apiKey == ApiKey.ApiVersions)
        {
            return 0;
        }

        return ApiVersionTable.TryGet(apiKey, out ApiVersionRange range) && range.IsFlexible(apiVersion) ? (short)1 : (short)0;
    }
}
