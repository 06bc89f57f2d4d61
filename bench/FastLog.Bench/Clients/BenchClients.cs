using FastLog.Bench.Clients.Confluent;
using FastLog.Bench.Clients.Managed;

namespace FastLog.Bench.Clients;

/// <summary>The client libraries the harness can drive, by the names <c>--client</c> takes.</summary>
internal static class BenchClients
{
    public static IReadOnlyList<string> Names { get; } = [ConfluentClient.ClientName, FastLogClient.ClientName];

    public static IBenchClient Create(string name) => name.ToLowerInvariant() switch
    {
        ConfluentClient.ClientName => new ConfluentClient(),
        FastLogClient.ClientName => new FastLogClient(),
        _ => throw new ArgumentException($"--client: unknown client '{name}' (known: {string.Join(", ", Names)})"),
    };
}
