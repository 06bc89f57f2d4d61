namespace FastLog.Client;

/// <summary>
/// Key partitioning identical to the Java client's default: <c>toPositive(murmur2(key)) % numPartitions</c>,
/// so a key lands on the same partition whichever Java-compatible client produced it.
/// </summary>
public static class Murmur2Partitioner
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    /// <summary>The Java client's <c>Utils.murmur2</c> (MurmurHash2, seed <c>0x9747b28c</c>), as a signed 32-bit value.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        int length = data.Length;
        uint h = Seed ^ (uint)length;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++)
        {
            int i4 = i * 4;
            uint k = data[i4] | ((uint)data[i4 + 1] << 8) | ((uint)data[i4 + 2] << 16) | ((uint)data[i4 + 3] << 24);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        int tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= M;
                break;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= M;
                break;
            case 1:
                h ^= data[tail];
                h *= M;
                break;
            default:
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return unchecked((int)h);
    }

    /// <summary>The Java client's <c>Utils.toPositive</c>: clears the sign bit (not <c>Math.Abs</c>).</summary>
    public static int ToPositive(int value) => value & 0x7fffffff;

    /// <summary>The partition for a non-null key among <paramref name="numPartitions"/> partitions.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numPartitions"/> is not positive.</exception>
    public static int Partition(ReadOnlySpan<byte> key, int numPartitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numPartitions);
        return ToPositive(Murmur2(key)) % numPartitions;
    }
}
