namespace FastLog.Bench.Comparison;

/// <summary>Where the client connects, and how to read the server's CPU time and disk when it is a separate process.</summary>
internal sealed record Target(string Name, string Bootstrap, Func<TimeSpan>? BrokerCpu, string? DiskDevice)
{
    public const string Mock = "mock";
    public const string FastLog = "FastLog";
}
