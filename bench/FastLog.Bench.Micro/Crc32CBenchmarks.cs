using BenchmarkDotNet.Attributes;
using FastLog.Format;

namespace FastLog.Bench.Micro;

/// <summary>CRC-32C over a contiguous buffer: the per-byte cost of every batch validation.</summary>
[MemoryDiagnoser]
[ThroughputColumn]
public class Crc32CBenchmarks
{
    private byte[] _data = [];

    [Params(1024, 16 * 1024, 1024 * 1024)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup() => _data = Fixtures.RandomBytes(Bytes);

    [Benchmark]
    public uint Compute() => Crc32C.Compute(_data);
}
