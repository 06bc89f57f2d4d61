namespace FastLog.Bench.Common;

/// <summary>One iperf3 loopback run.</summary>
public sealed record IperfResult(string When, double BitsPerSecond, double Seconds, string Flags)
{
    public double GBps => BitsPerSecond / 8 / 1e9;
}
