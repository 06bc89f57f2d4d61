using System.Globalization;
using Confluent.Kafka;

namespace FastLog.Bench.Comparison;

/// <summary>One produce-then-consume row of the matrix: record size × acks × compression.</summary>
internal sealed record Row(int RecordBytes, int Count, Acks Acks, CompressionType Compression)
{
    public string SizeName => RecordBytes >= 1024 && RecordBytes % 1024 == 0 ? $"{RecordBytes / 1024}KiB" : $"{RecordBytes}B";

    public string AcksName => Acks == Acks.All ? "all" : Acks == Acks.Leader ? "1" : "0";

    public string CompressionName => Compression.ToString().ToLowerInvariant();

    public string Id => $"{SizeName} acks={AcksName} {CompressionName}";

    public string Slug => $"{SizeName}-acks{AcksName}-{CompressionName}".ToLowerInvariant();

    public static IEnumerable<Row> Matrix(int smallCount, int largeCount)
    {
        foreach (var (bytes, count) in new[] { (100, smallCount), (1024, largeCount) })
        {
            foreach (var acks in new[] { Acks.Leader, Acks.All })
            {
                foreach (var compression in new[] { CompressionType.None, CompressionType.Lz4 })
                {
                    yield return new Row(bytes, count, acks, compression);
                }
            }
        }
    }

    public static string CountText(long n) => n >= 1_000_000 && n % 1_000_000 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{n / 1_000_000} M")
        : n.ToString("N0", CultureInfo.InvariantCulture);
}
