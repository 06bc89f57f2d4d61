using System.Buffers.Binary;
using FastLog.Format;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>The kinds of damage <see cref="FrameMutator"/> does to a valid request frame.</summary>
internal enum Mutation
{
    BitFlip,
    ByteReplace,
    Truncate,
    ExtendGarbage,
    SizePrefixLie,
    ArrayCount,
    StringLength,
    UnknownApiKey,
    BadApiVersion,
    HostileInt,
    BatchCrc,
    BatchHeader,
    RecordsLength,
    OversizeBatch,
    Splice,
}

/// <summary>
/// Mutates seed frames with a seeded <see cref="Random"/>: blind damage (bit flips, byte replacement,
/// truncation, garbage), lies in the size prefix, and structure-aware damage aimed at the fields found in
/// the seed (array counts and string lengths set to huge or negative values, api key and version out of
/// range, the batch's CRC and header, oversize batches). The size prefix is corrected after body damage
/// most of the time, so the broker parses the damaged body instead of waiting for bytes.
/// </summary>
internal sealed class FrameMutator
{
    private static readonly int[] HostileInt32 =
        [int.MaxValue, int.MinValue, -1, -2, 0, 0x7FFFFFFE, 1 << 30, 1 << 24, 1 << 20, 65_536, 65_535, 0x10000000, -0x10000000];

    private static readonly short[] HostileInt16 = [short.MaxValue, short.MinValue, -1, -2, 0, 0x7FFE, 0x4000, 0x1000];

    private static readonly uint[] HostileVarInt = [0, uint.MaxValue, 0x80000000, 0x7FFFFFFF, 1 << 28, 1 << 21, 1 << 14, 0x3FFF, 0xFFFF];

    /// <summary>Keys the broker does not serve: unknown to Kafka, negative, or Kafka APIs without a handler here.</summary>
    private static readonly short[] UnservedKeys = [-1, -32768, 32767, 99, 1000, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 24, 32, 33, 37, 44, 60, 68, 75];

    private static readonly Mutation[] All = Enum.GetValues<Mutation>();

    private readonly Random _random;
    private readonly FuzzSeeds _seeds;

    public FrameMutator(Random random, FuzzSeeds seeds)
    {
        _random = random;
        _seeds = seeds;
    }

    /// <summary>A damaged copy of <paramref name="seed"/> and the mutations applied (one, sometimes a few stacked).</summary>
    public byte[] Mutate(SeedRequest seed, List<Mutation> applied)
    {
        applied.Clear();
        var frame = seed.Frame.ToArray();
        int rounds = _random.Next(10) < 8 ? 1 : _random.Next(2, 5);
        bool prefixTouched = false;
        for (int i = 0; i < rounds; i++)
        {
            var mutation = All[_random.Next(All.Length)];
            applied.Add(mutation);
            frame = Apply(mutation, seed, frame, ref prefixTouched);
        }

        // Mostly keep the prefix honest, so the damaged body itself reaches the parser.
        if (!prefixTouched && frame.Length >= 4 && _random.Next(10) != 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        }

        return frame;
    }

    private byte[] Apply(Mutation mutation, SeedRequest seed, byte[] frame, ref bool prefixTouched)
    {
        switch (mutation)
        {
            case Mutation.BitFlip:
            {
                int flips = 1 + _random.Next(8);
                for (int i = 0; i < flips && frame.Length > 4; i++)
                {
                    frame[4 + _random.Next(frame.Length - 4)] ^= (byte)(1 << _random.Next(8));
                }

                return frame;
            }

            case Mutation.ByteReplace:
            {
                int count = 1 + _random.Next(6);
                byte[] interesting = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];
                for (int i = 0; i < count && frame.Length > 4; i++)
                {
                    frame[4 + _random.Next(frame.Length - 4)] = _random.Next(2) == 0 ? interesting[_random.Next(interesting.Length)] : (byte)_random.Next(256);
                }

                return frame;
            }

            case Mutation.Truncate:
                return frame.Length <= 4 ? frame : frame[..(4 + _random.Next(frame.Length - 4))];

            case Mutation.ExtendGarbage:
            {
                var garbage = new byte[1 + _random.Next(_random.Next(4) == 0 ? 4096 : 64)];
                _random.NextBytes(garbage);
                return [.. frame, .. garbage];
            }

            case Mutation.SizePrefixLie:
            {
                prefixTouched = true;
                int actual = frame.Length - 4;
                int lie = _random.Next(7) switch
                {
                    0 => actual + 1 + _random.Next(1000),
                    1 => Math.Max(0, actual - 1 - _random.Next(Math.Max(1, actual))),
                    2 => -1 - _random.Next(1000),
                    3 => int.MinValue,
                    4 => int.MaxValue,
                    5 => (1 << 20) + 1 + _random.Next(1 << 24),
                    _ => _random.Next(16),
                };
                if (frame.Length < 4)
                {
                    frame = [.. frame, .. new byte[4 - frame.Length]];
                }

                BinaryPrimitives.WriteInt32BigEndian(frame, lie);
                return frame;
            }

            case Mutation.ArrayCount:
                return seed.ArrayCounts.Count == 0 ? HostileIntAnywhere(frame) : WriteHostile(frame, seed.ArrayCounts[_random.Next(seed.ArrayCounts.Count)], seed);

            case Mutation.StringLength:
                return WriteHostile(frame, seed.StringLengths[_random.Next(seed.StringLengths.Count)], seed);

            case Mutation.UnknownApiKey:
                if (frame.Length >= 6)
                {
                    BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(4), _random.Next(3) == 0 ? (short)_random.Next(short.MinValue, short.MaxValue + 1) : UnservedKeys[_random.Next(UnservedKeys.Length)]);
                }

                return frame;

            case Mutation.BadApiVersion:
                if (frame.Length >= 8)
                {
                    short version = _random.Next(4) switch
                    {
                        0 => (short)-1,
                        1 => (short)(seed.ApiVersion + 1 + _random.Next(20)),
                        2 => HostileInt16[_random.Next(HostileInt16.Length)],
                        _ => (short)_random.Next(0, 20),
                    };
                    BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), version);
                }

                return frame;

            case Mutation.HostileInt:
                return HostileIntAnywhere(frame);

            case Mutation.BatchCrc:
                if (seed.BatchOffset >= 0 && frame.Length >= seed.BatchOffset + seed.BatchLength)
                {
                    // Either the CRC itself or one byte it covers.
                    int at = _random.Next(2) == 0
                        ? seed.BatchOffset + RecordBatchLayout.CrcOffset + _random.Next(RecordBatchLayout.CrcLength)
                        : seed.BatchOffset + RecordBatchLayout.AttributesOffset + _random.Next(seed.BatchLength - RecordBatchLayout.AttributesOffset);
                    frame[at] ^= (byte)(1 + _random.Next(255));
                    return frame;
                }

                return Apply(Mutation.BitFlip, seed, frame, ref prefixTouched);

            case Mutation.BatchHeader:
                if (seed.BatchOffset >= 0 && frame.Length >= seed.BatchOffset + seed.BatchLength)
                {
                    int b = seed.BatchOffset;
                    switch (_random.Next(5))
                    {
                        case 0:
                            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(b + RecordBatchLayout.BatchLengthOffset), HostileInt32[_random.Next(HostileInt32.Length)]);
                            break;
                        case 1:
                            frame[b + RecordBatchLayout.MagicOffset] = (byte)_random.Next(256);
                            break;
                        case 2:
                            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(b + RecordBatchLayout.RecordsCountOffset), HostileInt32[_random.Next(HostileInt32.Length)]);
                            break;
                        case 3:
                            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(b + RecordBatchLayout.LastOffsetDeltaOffset), HostileInt32[_random.Next(HostileInt32.Length)]);
                            break;
                        default:
                            // Broker-owned fields outside the CRC: a valid batch with odd values there must still be appended cleanly.
                            BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(b), _random.NextInt64(long.MinValue, long.MaxValue));
                            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(b + RecordBatchLayout.PartitionLeaderEpochOffset), HostileInt32[_random.Next(HostileInt32.Length)]);
                            break;
                    }

                    return frame;
                }

                return Apply(Mutation.ByteReplace, seed, frame, ref prefixTouched);

            case Mutation.RecordsLength:
                return seed.RecordsLength is { } records ? WriteHostile(frame, records, seed) : HostileIntAnywhere(frame);

            case Mutation.OversizeBatch when _random.Next(3) == 0:
            {
                var big = _seeds.Oversize[_random.Next(_seeds.Oversize.Count)];
                return big.Frame.ToArray();
            }

            case Mutation.OversizeBatch:
                // Cheaper than sending a big batch: a batch length claiming one.
                if (seed.BatchOffset >= 0 && frame.Length >= seed.BatchOffset + seed.BatchLength)
                {
                    BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(seed.BatchOffset + RecordBatchLayout.BatchLengthOffset), FuzzSeeds.MaxMessageBytes + _random.Next(1 << 20));
                    return frame;
                }

                return Apply(Mutation.RecordsLength, seed, frame, ref prefixTouched);

            case Mutation.Splice:
            {
                // Head of this frame, tail of another.
                var other = _seeds.Seeds[_random.Next(_seeds.Seeds.Count)].Frame;
                int cut = 4 + _random.Next(Math.Max(1, frame.Length - 4));
                int from = 4 + _random.Next(Math.Max(1, other.Length - 4));
                return [.. frame.AsSpan(0, Math.Min(cut, frame.Length)), .. other.AsSpan(Math.Min(from, other.Length))];
            }

            default:
                throw new InvalidOperationException(mutation.ToString());
        }
    }

    private byte[] HostileIntAnywhere(byte[] frame)
    {
        if (frame.Length < 8)
        {
            return frame;
        }

        int at = 4 + _random.Next(frame.Length - 4 - 3);
        if (_random.Next(2) == 0)
        {
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at), HostileInt32[_random.Next(HostileInt32.Length)]);
        }
        else
        {
            BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(at), HostileInt16[_random.Next(HostileInt16.Length)]);
        }

        return frame;
    }

    /// <summary>Overwrites a length or count field with a hostile value; a varint field may change size.</summary>
    private byte[] WriteHostile(byte[] frame, FieldAt field, SeedRequest seed)
    {
        // Earlier stacked mutations may have moved or cut the bytes; the offsets belong to the seed.
        if (frame.Length != seed.Frame.Length || field.Offset + field.EncodedBytes > frame.Length)
        {
            return HostileIntAnywhere(frame);
        }

        switch (field.Width)
        {
            case FieldWidth.Int16:
                BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(field.Offset), HostileInt16[_random.Next(HostileInt16.Length)]);
                return frame;
            case FieldWidth.Int32:
                BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(field.Offset), HostileInt32[_random.Next(HostileInt32.Length)]);
                return frame;
            default:
            {
                uint value = _random.Next(3) == 0 ? (uint)_random.Next() : HostileVarInt[_random.Next(HostileVarInt.Length)];
                var encoded = new byte[FuzzSeeds.UnsignedVarIntSize(value)];
                int n = 0;
                while (value >= 0x80)
                {
                    encoded[n++] = (byte)(value | 0x80);
                    value >>= 7;
                }

                encoded[n] = (byte)value;
                return [.. frame.AsSpan(0, field.Offset), .. encoded, .. frame.AsSpan(field.Offset + field.EncodedBytes)];
            }
        }
    }
}
