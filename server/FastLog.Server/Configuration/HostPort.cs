using System.Globalization;

namespace FastLog.Server.Configuration;

/// <summary>A plain <c>host:port</c> setting (no listener name), e.g. metrics.listener; IPv6 hosts in brackets.</summary>
public sealed record HostPort(string Host, int Port)
{
    /// <summary>Parses <paramref name="text"/>; a bad value throws a <see cref="BrokerConfigException"/> naming <paramref name="setting"/>.</summary>
    public static HostPort Parse(string setting, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.LastIndexOf(':');
        string host = colon > 0 ? text[..colon].Trim() : string.Empty;
        if (colon <= 0 || host.Length == 0 || host.Contains("://", StringComparison.Ordinal) ||
            !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new BrokerConfigException($"{setting}: '{text}' is not host:port");
        }

        return new HostPort(host.Trim('[', ']'), port);
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
