using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastLog.Bench.Micro;

/// <summary>Declares how many bytes one operation of a benchmark method processes.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BytesPerOperationAttribute(int bytes) : Attribute
{
    public int Bytes { get; } = bytes;
}

/// <summary>Adds the GB/s column to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class ThroughputColumnAttribute : ColumnConfigBaseAttribute
{
    public ThroughputColumnAttribute()
        : base(new ThroughputColumn())
    {
    }
}

/// <summary>
/// Throughput in decimal GB/s (bytes per nanosecond of the mean): the bytes per operation come from
/// a parameter named <c>Bytes</c> or from <see cref="BytesPerOperationAttribute"/> on the method.
/// </summary>
internal sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);

    public string ColumnName => "GB/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Bytes processed per operation divided by the mean time (10^9 bytes/s)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        long? bytes = BytesPerOperation(benchmarkCase);
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (bytes is null || meanNs is not > 0)
        {
            return "-";
        }

        return (bytes.Value / meanNs.Value).ToString("0.00", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    private static long? BytesPerOperation(BenchmarkCase benchmarkCase)
    {
        var attribute = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<BytesPerOperationAttribute>();
        if (attribute is not null)
        {
            return attribute.Bytes;
        }

        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            if (parameter.Name == "Bytes" && parameter.Value is int value)
            {
                return value;
            }
        }

        return null;
    }
}
