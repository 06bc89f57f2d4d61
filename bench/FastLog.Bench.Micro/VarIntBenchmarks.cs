using BenchmarkDotNet.Attributes;
using FastLog.Format;

namespace FastLog.Bench.Micro;

/// <summary>
/// Zig-zag varint encode/decode of 1,024 values whose encoded sizes are mixed like real record
/// fields (mostly 1-2 bytes, some up to the maximum); results are per value.
/// </summary>
[MemoryDiagnoser]
public class VarIntBenchmarks
{
    private const int Count = 1024;
    private readonly int[] _ints = new int[Count];
    private readonly long[] _longs = new long[Count];
    private readonly byte[] _intBytes = new byte[Count * VarInt.MaxVarIntBytes];
    private readonly byte[] _longBytes = new byte[Count * VarInt.MaxVarLongBytes];
    private int _intBytesUsed;
    private int _longBytesUsed;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        for (int i = 0; i < Count; i++)
        {
            // 60% small deltas, 30% lengths up to 16 KiB, 10% anything.
            int roll = random.Next(10);
            _ints[i] = roll < 6 ? random.Next(-63, 64) : roll < 9 ? random.Next(0, 16 * 1024) : random.Next(int.MinValue, int.MaxValue);
            _longs[i] = roll < 6 ? random.Next(-63, 64) : roll < 9 ? random.Next(0, 1 << 20) : random.NextInt64(long.MinValue, long.MaxValue);
        }

        _intBytesUsed = WriteVarInt();
        _longBytesUsed = WriteVarLong();
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int WriteVarInt()
    {
        Span<byte> destination = _intBytes;
        int position = 0;
        foreach (int value in _ints)
        {
            position += VarInt.WriteVarInt(destination[position..], value);
        }

        return position;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public long ReadVarInt()
    {
        ReadOnlySpan<byte> source = _intBytes.AsSpan(0, _intBytesUsed);
        long sum = 0;
        int position = 0;
        while (position < source.Length)
        {
            sum += VarInt.ReadVarInt(source[position..], out int read);
            position += read;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int WriteVarLong()
    {
        Span<byte> destination = _longBytes;
        int position = 0;
        foreach (long value in _longs)
        {
            position += VarInt.WriteVarLong(destination[position..], value);
        }

        return position;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public long ReadVarLong()
    {
        ReadOnlySpan<byte> source = _longBytes.AsSpan(0, _longBytesUsed);
        long sum = 0;
        int position = 0;
        while (position < source.Length)
        {
            sum += VarInt.ReadVarLong(source[position..], out int read);
            position += read;
        }

        return sum;
    }
}
