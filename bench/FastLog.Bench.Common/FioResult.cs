namespace FastLog.Bench.Common;

/// <summary>One fio job's figures; <see cref="When"/> says whether it ran before or after the measured rows.</summary>
public sealed record FioResult(
    string Id, string Description, string Flags, string When, double BytesPerSecond, double WritesPerSecond,
    double? SyncP50Micros, double? SyncP99Micros, long IoBytes, double Seconds)
{
    public double MBps => BytesPerSecond / 1e6;
}
