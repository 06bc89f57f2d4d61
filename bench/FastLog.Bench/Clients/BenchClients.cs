using FastLog.Bench.Clients.Confluent;

namespace FastLog.Bench.Clients;

/// <summary>The client libraries the harness can drive, by the names <c>--client</c> takes.</summary>
internal static class BenchClients
{
    public static IReadOnlyList<string> Names { get; } = [ConfluentClient.ClientName];

    public static IBenchClient Create(string name) => name.ToLowerInvariant() switch
    {
        ConfluentClient.ClientName => new ConfluentClient(),
        "fastlog" => throw new ArgumentException(
            "--client fastlog: FastLog.Client has no producer and consumer on this branch yet, so the harness has no adapter for it; use --client confluent"),
        _ => throw new ArgumentException($"--client: unknown client '{name}' (known: {string.Join(", ", Names)})"),
    };
}
