using System.Buffers.Binary;
using FastLog.Engine.Segments;
using FastLog.Format;

namespace FastLog.Engine.Producers;

/// <summary>
/// Idempotent-producer state of one partition: per producer id, its epoch and last five batches.
/// Appends of batches with a producer id are checked here (under the partition's append lock):
/// a retry of a recent batch is a duplicate answered with its original offsets, a gap or a step
/// back is OUT_OF_ORDER_SEQUENCE_NUMBER, an older epoch is INVALID_PRODUCER_EPOCH.
/// </summary>
/// <remarks>
/// Durability: the state is derived from the log (every batch header carries producer id, epoch
/// and base sequence). Snapshots (<c>&lt;offset&gt;.snapshot</c>, checksummed) are written on
/// segment roll and clean close so a restart scans only the batches after the newest snapshot at
/// or below the log end; a damaged or missing snapshot only means a longer scan.
/// Not thread-safe: the owning partition log serializes access.
/// </remarks>
public sealed class ProducerStateManager
{
    public const string SnapshotSuffix = ".snapshot";

    private const uint SnapshotMagic = 0x464C5053; // "FLPS"
    private const short SnapshotVersion = 1;
    private const int SnapshotsKept = 2;

    private readonly Dictionary<long, ProducerEntry> _producers = [];

    public int ProducerCount => _producers.Count;

    public bool TryGet(long producerId, out ProducerEntry entry) => _producers.TryGetValue(producerId, out entry!);

    /// <summary>Checks a batch against the producer's state without changing it.</summary>
    public ProducerAppendCheck Check(long producerId, short epoch, int firstSequence, int lastSequence, out ProducerBatch duplicateOf)
    {
        duplicateOf = default;
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            return firstSequence == 0 ? ProducerAppendCheck.Accept : ProducerAppendCheck.UnknownProducerId;
        }

        if (epoch < entry.Epoch)
        {
            return ProducerAppendCheck.InvalidProducerEpoch;
        }

        if (epoch > entry.Epoch)
        {
            // A new epoch starts its sequence over.
            return firstSequence == 0 ? ProducerAppendCheck.Accept : ProducerAppendCheck.OutOfOrderSequence;
        }

        for (int i = 0; i < entry.BatchCount; i++)
        {
            var batch = entry.BatchAt(i);
            if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence)
            {
                duplicateOf = batch;
                return ProducerAppendCheck.Duplicate;
            }
        }

        if (entry.LastBatch is { } last && firstSequence != NextSequence(last.LastSequence))
        {
            return ProducerAppendCheck.OutOfOrderSequence;
        }

        return ProducerAppendCheck.Accept;
    }

    /// <summary>Records an appended batch.</summary>
    public void Update(long producerId, short epoch, ProducerBatch batch)
    {
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            entry = new ProducerEntry(producerId, epoch);
            _producers[producerId] = entry;
        }

        entry.Add(epoch, batch);
    }

    /// <summary>Forgets producers idle for longer than <paramref name="expirationMs"/> (producer.id.expiration.ms).</summary>
    public int RemoveExpired(long nowMs, long expirationMs)
    {
        int removed = 0;
        foreach (var (producerId, entry) in _producers)
        {
            if (nowMs - entry.LastTimestampMs > expirationMs)
            {
                _producers.Remove(producerId);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>The sequence after <paramref name="sequence"/>: sequences wrap from int.MaxValue to 0.</summary>
    public static int NextSequence(int sequence) => sequence == int.MaxValue ? 0 : sequence + 1;

    /// <summary>The last sequence of a batch: base sequence plus its last offset delta, wrapping.</summary>
    public static int LastSequenceOf(int baseSequence, int lastOffsetDelta) =>
        (int)(((long)baseSequence + lastOffsetDelta) % ((long)int.MaxValue + 1));

    /// <summary>Applies one batch header found while scanning the log (rebuilding state).</summary>
    internal void Replay(ref BatchHeaderScanner scanner)
    {
        if (scanner.ProducerId < 0 || scanner.IsControl)
        {
            return;
        }

        int last = LastSequenceOf(scanner.BaseSequence, scanner.LastOffsetDelta);
        Update(scanner.ProducerId, scanner.ProducerEpoch, new ProducerBatch(scanner.BaseSequence, last, scanner.BaseOffset, scanner.LastOffset, scanner.MaxTimestamp));
    }

    /// <summary>Writes the state as of <paramref name="offset"/> (the log end offset) and keeps only the newest snapshots.</summary>
    public void WriteSnapshot(string directory, long offset)
    {
        int size = 4 + 2 + 4;
        foreach (var entry in _producers.Values)
        {
            size += 8 + 2 + 8 + 4 + (entry.BatchCount * (4 + 4 + 8 + 8 + 8));
        }

        var bytes = new byte[size + 4];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, SnapshotMagic);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], SnapshotVersion);
        BinaryPrimitives.WriteInt32BigEndian(span[6..], _producers.Count);
        int position = 10;
        foreach (var entry in _producers.Values)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[position..], entry.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(span[(position + 8)..], entry.Epoch);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 10)..], entry.LastTimestampMs);
            BinaryPrimitives.WriteInt32BigEndian(span[(position + 18)..], entry.BatchCount);
            position += 22;
            for (int i = 0; i < entry.BatchCount; i++)
            {
                var batch = entry.BatchAt(i);
                BinaryPrimitives.WriteInt32BigEndian(span[position..], batch.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(span[(position + 4)..], batch.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 8)..], batch.FirstOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 16)..], batch.LastOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 24)..], batch.TimestampMs);
                position += 32;
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(span[position..], Crc32C.Compute(span[..position]));
        string path = SnapshotPath(directory, offset);
        File.WriteAllBytes(path + ".tmp", bytes);
        File.Move(path + ".tmp", path, overwrite: true);

        var snapshots = ListSnapshots(directory);
        for (int i = 0; i < snapshots.Count - SnapshotsKept; i++)
        {
            File.Delete(SnapshotPath(directory, snapshots[i]));
        }
    }

    /// <summary>
    /// Loads the newest valid snapshot at or below <paramref name="maxOffset"/> and deletes the ones
    /// above it (their data was truncated). Returns the offset to scan the log from (0 when none).
    /// </summary>
    public long LoadLatestSnapshot(string directory, long maxOffset)
    {
        _producers.Clear();
        var snapshots = ListSnapshots(directory);
        for (int i = snapshots.Count - 1; i >= 0; i--)
        {
            long offset = snapshots[i];
            string path = SnapshotPath(directory, offset);
            if (offset > maxOffset)
            {
                File.Delete(path);
                continue;
            }

            if (TryRead(File.ReadAllBytes(path)))
            {
                return offset;
            }

            _producers.Clear();
            File.Delete(path);
        }

        return 0;
    }

    private bool TryRead(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 14 || BinaryPrimitives.ReadUInt32BigEndian(bytes) != SnapshotMagic ||
            BinaryPrimitives.ReadInt16BigEndian(bytes[4..]) != SnapshotVersion ||
            BinaryPrimitives.ReadUInt32BigEndian(bytes[^4..]) != Crc32C.Compute(bytes[..^4]))
        {
            return false;
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(bytes[6..]);
        int position = 10;
        for (int p = 0; p < count; p++)
        {
            if (position + 22 > bytes.Length - 4)
            {
                return false;
            }

            long producerId = BinaryPrimitives.ReadInt64BigEndian(bytes[position..]);
            short epoch = BinaryPrimitives.ReadInt16BigEndian(bytes[(position + 8)..]);
            int batches = BinaryPrimitives.ReadInt32BigEndian(bytes[(position + 18)..]);
            position += 22;
            if (batches is < 0 or > ProducerEntry.MaxBatches || position + (batches * 32) > bytes.Length - 4)
            {
                return false;
            }

            var entry = new ProducerEntry(producerId, epoch);
            for (int i = 0; i < batches; i++)
            {
                entry.Add(epoch, new ProducerBatch(
                    BinaryPrimitives.ReadInt32BigEndian(bytes[position..]),
                    BinaryPrimitives.ReadInt32BigEndian(bytes[(position + 4)..]),
                    BinaryPrimitives.ReadInt64BigEndian(bytes[(position + 8)..]),
                    BinaryPrimitives.ReadInt64BigEndian(bytes[(position + 16)..]),
                    BinaryPrimitives.ReadInt64BigEndian(bytes[(position + 24)..])));
                position += 32;
            }

            _producers[producerId] = entry;
        }

        return true;
    }

    private static string SnapshotPath(string directory, long offset) => Path.Combine(directory, SegmentFileNames.FormatOffset(offset) + SnapshotSuffix);

    private static List<long> ListSnapshots(string directory)
    {
        var offsets = new List<long>();
        foreach (string path in Directory.EnumerateFiles(directory, "*" + SnapshotSuffix))
        {
            if (SegmentFileNames.TryParseBaseOffset(Path.GetFileName(path), SnapshotSuffix, out long offset))
            {
                offsets.Add(offset);
            }
        }

        offsets.Sort();
        return offsets;
    }
}
