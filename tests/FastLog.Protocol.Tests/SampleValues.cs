namespace FastLog.Protocol.Tests;

/// <summary>
/// Deterministic, distinct, non-default values for generated samples. Nulls mode makes every field that
/// may be null in the version null, and arrays empty, so both shapes round-trip.
/// </summary>
internal sealed class SampleValues(bool nulls)
{
    private int _next = 7;

    public bool Nulls { get; } = nulls;

    public sbyte NextInt8() => (sbyte)(Next() % 100 + 2);

    public short NextInt16() => (short)(Next() % 30000 + 2);

    public ushort NextUInt16() => (ushort)(Next() % 60000 + 2);

    public int NextInt32() => Next() * 1000 + 3;

    public long NextInt64() => (Next() * 1_000_000_007L) + 5;

    public double NextFloat64() => Next() + 0.25;

    public Guid NextUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(Next() + i);
        }

        return new Guid(bytes, bigEndian: true);
    }

    // Non-ASCII on purpose: lengths are UTF-8 byte counts, not char counts.
    public string NextString() => $"s{Next()}-é";

    public byte[] NextBytes() => [(byte)Next(), 0, 255, (byte)Next()];

    public KafkaRecords NextRecords() => KafkaRecords.FromBytes(new byte[] { 0, 0, 0, 0, 0, 0, 0, (byte)Next(), 9, 8, 7 });

    private int Next() => _next++;
}
