using System.Globalization;

namespace FastLog.Server.Configuration;

/// <summary>One entry of listeners / advertised.listeners: <c>NAME://host:port</c>.</summary>
public sealed record ListenerAddress(string Name, string Host, int Port)
{
    public static ListenerAddress Parse(string setting, string text)
    {
        int scheme = text.IndexOf("://", StringComparison.Ordinal);
        int colon = text.LastIndexOf(':');
        if (scheme <= 0 || colon <= scheme + 2 ||
            !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new BrokerConfigException($"{setting}: '{text}' is not NAME://host:port");
        }

        string name = text[..scheme];
        if (!name.Equals("PLAINTEXT", StringComparison.OrdinalIgnoreCase))
        {
            throw new BrokerConfigException($"{setting}: listener '{name}' is not supported yet (only PLAINTEXT)");
        }

        string host = text[(scheme + 3)..colon].Trim('[', ']');
        return new ListenerAddress(name.ToUpperInvariant(), host, port);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}://{Host}:{Port}");
}
