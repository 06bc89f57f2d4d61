using System.IO.Hashing;

namespace FastLog.Engine.Cleaning;

/// <summary>
/// Key → latest offset for the dirty section of a log, in a fixed amount of memory: an
/// open-addressing table of (128-bit key hash, offset) entries, 24 bytes each, sized once.
/// </summary>
/// <remarks>
/// Keys are not stored, only their XxHash128, so the map's size does not depend on key sizes.
/// The price is that two keys with the same hash are treated as one, and the older record of the
/// pair would be dropped as if overwritten. With 128 bits the chance of any collision among n keys
/// is about n² / 2¹²⁹: for a billion keys that is ~1.5e-21, far below the rate of undetected disk
/// errors, which is why Kafka accepts the same trade with MD5 (also 128 bits). A 64-bit hash would
/// give ~3e-2 at a billion keys — a real risk of silently losing a live record — so it is not used.
/// XxHash128 is not cryptographic: a producer choosing keys to collide could make its own keys shadow
/// each other, which it could do anyway by writing the same key.
/// </remarks>
public sealed class KeyOffsetMap
{
    private const int EntryBytes = 24;

    /// <summary>Stop inserting at 75% load: linear probing stays short, and building stops at a segment boundary before that.</summary>
    private const double MaxLoadFactor = 0.75;

    // One array of 24-byte entries rather than three arrays: a probe touches one cache line, not three.
    private readonly Entry[] _entries;
    private readonly int _mask;

    /// <param name="memoryBytes">The table's budget (log.cleaner.dedupe.buffer.size); rounded down to a power-of-two entry count.</param>
    public KeyOffsetMap(long memoryBytes)
    {
        long entries = Math.Max(16, memoryBytes / EntryBytes);
        int capacity = 1 << Math.Min(30, System.Numerics.BitOperations.Log2((ulong)entries));
        _entries = new Entry[capacity];
        _mask = capacity - 1;
        MaxEntries = (int)(capacity * MaxLoadFactor);
        Clear();
    }

    /// <summary>Slots in the table.</summary>
    public int Capacity => _entries.Length;

    /// <summary>Distinct keys the map accepts before it counts as full.</summary>
    public int MaxEntries { get; }

    /// <summary>Distinct keys stored.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count >= MaxEntries;

    /// <summary>The largest offset put so far (-1 when empty).</summary>
    public long LatestOffset { get; private set; } = -1;

    public static UInt128 Hash(ReadOnlySpan<byte> key) => XxHash128.HashToUInt128(key);

    /// <summary>Records <paramref name="offset"/> as the key's latest. Returns false when the key is new and the map is full.</summary>
    public bool Put(ReadOnlySpan<byte> key, long offset) => Put(Hash(key), offset);

    public bool Put(UInt128 hash, long offset)
    {
        ulong low = (ulong)hash;
        ulong high = (ulong)(hash >> 64);
        int slot = (int)(low & (uint)_mask);
        while (true)
        {
            ref var entry = ref _entries[slot];
            if (entry.Offset < 0)
            {
                if (IsFull)
                {
                    return false;
                }

                entry.Low = low;
                entry.High = high;
                entry.Offset = offset;
                Count++;
                break;
            }

            if (entry.Low == low && entry.High == high)
            {
                if (offset > entry.Offset)
                {
                    entry.Offset = offset;
                }

                break;
            }

            slot = (slot + 1) & _mask;
        }

        if (offset > LatestOffset)
        {
            LatestOffset = offset;
        }

        return true;
    }

    /// <summary>The latest offset recorded for the key, or -1.</summary>
    public long Get(ReadOnlySpan<byte> key) => Get(Hash(key));

    public long Get(UInt128 hash)
    {
        ulong low = (ulong)hash;
        ulong high = (ulong)(hash >> 64);
        int slot = (int)(low & (uint)_mask);
        while (true)
        {
            ref readonly var entry = ref _entries[slot];
            if (entry.Offset < 0)
            {
                return -1;
            }

            if (entry.Low == low && entry.High == high)
            {
                return entry.Offset;
            }

            slot = (slot + 1) & _mask;
        }
    }

    public void Clear()
    {
        Array.Fill(_entries, new Entry { Offset = -1 });
        Count = 0;
        LatestOffset = -1;
    }

    private struct Entry
    {
        public ulong Low;
        public ulong High;
        public long Offset;
    }
}
