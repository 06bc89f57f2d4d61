using System.Globalization;
using FastLog.Bench.Clients;

namespace FastLog.Bench.Harness;

/// <summary>
/// One cell of the matrix: producers × partitions × record size × acks × compression × linger, for
/// one client, in throughput mode (<see cref="Rate"/> null: as fast as it goes) or latency mode (a
/// fixed total rate in records/s).
/// </summary>
internal sealed record Scenario(
    string Client, int Producers, int Partitions, int RecordBytes, AckMode Acks, Codec Compression, int LingerMs, long Records, double? Rate)
{
    /// <summary>
    /// Latency mode: records sent at the fixed rate before the <see cref="Records"/> that are measured
    /// (OMB's warm-up traffic). They are acknowledged and read like the rest but enter no figure.
    /// </summary>
    public long LeadInRecords { get; init; }

    /// <summary>Every record the scenario sends: the measured ones and, in latency mode, the lead-in.</summary>
    public long RecordsToSend => Records + (LatencyMode ? LeadInRecords : 0);

    public bool LatencyMode => Rate is not null;

    public string Mode => LatencyMode ? "latency" : "throughput";

    public string SizeName => SizeText(RecordBytes);

    public string AcksName => Acks switch
    {
        AckMode.All => "all",
        AckMode.Leader => "1",
        _ => "0",
    };

    public string CompressionName => Compression.ToString().ToLowerInvariant();

    /// <summary>A compact label for tables and plots, e.g. <c>1p 16pt 1KiB acks=all none linger=1</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"{Producers}p {Partitions}pt {SizeName} acks={AcksName} {CompressionName} linger={LingerMs}{(Rate is { } r ? $" @{RateText(r)}/s" : string.Empty)}");

    /// <summary>The label as a topic-name-safe slug.</summary>
    public string Slug => string.Create(CultureInfo.InvariantCulture,
        $"{Client}-{Producers}p-{Partitions}pt-{SizeName}-acks{AcksName}-{CompressionName}-l{LingerMs}{(Rate is { } r ? $"-r{r:F0}" : string.Empty)}").ToLowerInvariant();

    public static string SizeText(long bytes) => bytes >= 1024 && bytes % 1024 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024}KiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes}B");

    public static string RateText(double perSecond) => perSecond >= 1e6
        ? (perSecond / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " M"
        : perSecond >= 1e3 ? (perSecond / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + " k" : perSecond.ToString("0", CultureInfo.InvariantCulture);
}
