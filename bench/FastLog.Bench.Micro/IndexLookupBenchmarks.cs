using BenchmarkDotNet.Attributes;
using FastLog.Engine.Index;

namespace FastLog.Bench.Micro;

/// <summary>
/// Lookups in memory-mapped offset and time indexes of 100,000 entries each (temp files, resident in
/// the page cache). "Warm tail" targets fall in the last 8 KiB of entries, which the search tries
/// first; "cold" targets are spread over the rest and take the full binary search.
/// Each invocation looks up 1,024 different targets; results are per lookup.
/// </summary>
[MemoryDiagnoser]
public class IndexLookupBenchmarks : IDisposable
{
    private const int Entries = 100_000;
    private const int Targets = 1024;
    private const long BaseOffset = 1_000_000;
    private const int OffsetsPerEntry = 16;
    private const int BytesPerEntry = 4096;

    private readonly long[] _warmOffsets = new long[Targets];
    private readonly long[] _coldOffsets = new long[Targets];
    private readonly long[] _warmTimestamps = new long[Targets];
    private readonly long[] _coldTimestamps = new long[Targets];
    private string? _directory;
    private OffsetIndex? _offsetIndex;
    private TimeIndex? _timeIndex;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Fixtures.CreateTempDirectory("index");
        _offsetIndex = new OffsetIndex(Path.Combine(_directory, "bench.index"), BaseOffset, (Entries + 16) * OffsetIndex.EntrySizeBytes);
        _timeIndex = new TimeIndex(Path.Combine(_directory, "bench.timeindex"), BaseOffset, (Entries + 16) * TimeIndex.EntrySizeBytes);
        for (int i = 0; i < Entries; i++)
        {
            long offset = BaseOffset + ((long)i * OffsetsPerEntry);
            _offsetIndex.Append(offset, i * BytesPerEntry);
            _timeIndex.MaybeAppend(Fixtures.BaseTimestampMs + (i * 10L), offset);
        }

        // The warm section is the last 8 KiB of entries: 1,024 offset entries, 682 time entries.
        var random = new Random(11);
        for (int i = 0; i < Targets; i++)
        {
            int warmOffsetEntry = Entries - 1 - random.Next(8192 / OffsetIndex.EntrySizeBytes);
            int warmTimeEntry = Entries - 1 - random.Next(8192 / TimeIndex.EntrySizeBytes);
            int coldEntry = random.Next(Entries - 2048);
            _warmOffsets[i] = BaseOffset + ((long)warmOffsetEntry * OffsetsPerEntry) + random.Next(OffsetsPerEntry);
            _coldOffsets[i] = BaseOffset + ((long)coldEntry * OffsetsPerEntry) + random.Next(OffsetsPerEntry);
            _warmTimestamps[i] = Fixtures.BaseTimestampMs + (warmTimeEntry * 10L) + random.Next(10);
            _coldTimestamps[i] = Fixtures.BaseTimestampMs + (coldEntry * 10L) + random.Next(10);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _offsetIndex?.Dispose();
        _offsetIndex = null;
        _timeIndex?.Dispose();
        _timeIndex = null;
        Fixtures.DeleteDirectory(_directory);
        _directory = null;
    }

    public void Dispose()
    {
        Cleanup();
        GC.SuppressFinalize(this);
    }

    [Benchmark(OperationsPerInvoke = Targets)]
    public long OffsetIndex_WarmTail()
    {
        var index = _offsetIndex!;
        long sum = 0;
        foreach (long target in _warmOffsets)
        {
            sum += index.Lookup(target).Position;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Targets)]
    public long OffsetIndex_Cold()
    {
        var index = _offsetIndex!;
        long sum = 0;
        foreach (long target in _coldOffsets)
        {
            sum += index.Lookup(target).Position;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Targets)]
    public long TimeIndex_WarmTail()
    {
        var index = _timeIndex!;
        long sum = 0;
        foreach (long target in _warmTimestamps)
        {
            sum += index.Lookup(target).Offset;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Targets)]
    public long TimeIndex_Cold()
    {
        var index = _timeIndex!;
        long sum = 0;
        foreach (long target in _coldTimestamps)
        {
            sum += index.Lookup(target).Offset;
        }

        return sum;
    }
}
