using System.Globalization;

namespace FastLog.Client;

/// <summary>A broker's host and port, as written in <c>bootstrap.servers</c>.</summary>
/// <param name="Host">Host name or IP address (IPv6 without brackets).</param>
/// <param name="Port">TCP port.</param>
public readonly record struct BrokerAddress(string Host, int Port)
{
    /// <summary>
    /// Parses a <c>bootstrap.servers</c> value: comma-separated <c>host:port</c> entries (IPv6 as <c>[addr]:port</c>),
    /// whitespace around entries ignored.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or an entry is not <c>host:port</c> with a valid port.</exception>
    public static IReadOnlyList<BrokerAddress> ParseList(string bootstrapServers)
    {
        ArgumentNullException.ThrowIfNull(bootstrapServers);
        var addresses = new List<BrokerAddress>();
        foreach (string raw in bootstrapServers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            addresses.Add(Parse(raw));
        }

        if (addresses.Count == 0)
        {
            throw new ArgumentException("bootstrap.servers names no broker.", nameof(bootstrapServers));
        }

        return addresses;
    }

    /// <summary>Parses one <c>host:port</c> (IPv6 as <c>[addr]:port</c>).</summary>
    /// <exception cref="ArgumentException">Not <c>host:port</c> with a port in 1-65535.</exception>
    public static BrokerAddress Parse(string hostAndPort)
    {
        ArgumentNullException.ThrowIfNull(hostAndPort);
        int colon = hostAndPort.LastIndexOf(':');
        if (colon <= 0 || colon == hostAndPort.Length - 1)
        {
            throw new ArgumentException($"'{hostAndPort}' is not host:port.", nameof(hostAndPort));
        }

        string host = hostAndPort[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{hostAndPort}': write IPv6 addresses as [address]:port.", nameof(hostAndPort));
        }

        if (host.Length == 0
            || !int.TryParse(hostAndPort.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            throw new ArgumentException($"'{hostAndPort}' is not host:port with a port in 1-65535.", nameof(hostAndPort));
        }

        return new BrokerAddress(host, port);
    }

    /// <summary><c>host:port</c>, with brackets around IPv6 addresses.</summary>
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
