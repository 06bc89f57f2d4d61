using System.Buffers.Binary;

namespace FastLog.Engine.Index;

/// <summary>
/// Sparse time index of one log segment (<c>{base offset:D20}.timeindex</c>): maps a timestamp to
/// the offset from which a reader scans forward to find the first record at or after that time.
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (Kafka's): a flat array of 12-byte big-endian entries, no header: int64
/// timestamp (ms since the Unix epoch), then int32 offset relative to <see cref="BaseOffset"/>.
/// Timestamps strictly increase (an entry is only added for a new maximum timestamp) and offsets
/// never decrease. As with <see cref="OffsetIndex"/>, a writable file is preallocated with a zero
/// tail and <see cref="TrimToValidSize"/> cuts it to the entries, so the next open counts file length / 12.</para>
/// <para><b>Full</b>: like Kafka, <see cref="IsFull"/> turns true one entry early. The last slot is
/// kept for the entry a rolling segment adds for its final maximum timestamp
/// (<see cref="MaybeAppend(long, long, bool)"/> with skipFullCheck), so that entry is never lost.</para>
/// <para><b>Thread-safety</b>: one writer calls <see cref="MaybeAppend(long, long)"/>; any number of
/// readers call <see cref="Lookup"/>, <see cref="EntryAt"/> and the properties concurrently without
/// locks. The entry bytes are written before the count is published with a volatile write, and
/// readers never look past the count they read, so they never see a half-written entry.
/// <see cref="TruncateTo"/>, <see cref="Reset"/>, <see cref="Resize"/>, <see cref="TrimToValidSize"/>,
/// <see cref="RenameTo"/> and <see cref="Dispose"/> run with no concurrent readers (caller's duty).</para>
/// <para><b>Crash behaviour</b>: no checksum. After an unclean stop the caller rebuilds the index from
/// the log; <see cref="SanityCheck"/> rejects an untrimmed preallocated file (its zero entries repeat
/// timestamp 0) and other garbage. Truncation zeroes dropped slots so the tail stays zeros.</para>
/// </remarks>
public sealed unsafe class TimeIndex : SegmentIndex
{
    /// <summary>Bytes per entry: int64 timestamp + int32 relative offset.</summary>
    public const int EntrySizeBytes = 12;

    /// <summary>Timestamp of <see cref="LastEntry"/> on an empty index, Kafka's "no timestamp".</summary>
    public const long NoTimestamp = -1;

    /// <summary>
    /// Opens the index at <paramref name="path"/>, or creates it when writable and missing. The
    /// existing entries are the file length / 12. A writable index is grown to
    /// <paramref name="maxIndexBytes"/> rounded down to whole entries; a read-only one maps the
    /// file as it is and refuses changes.
    /// </summary>
    public TimeIndex(string path, long baseOffset, int maxIndexBytes, bool writable = true)
        : base(path, baseOffset, EntrySizeBytes, maxIndexBytes, writable)
    {
    }

    /// <summary>True once only the slot reserved for the roll entry is left (see the type remarks).</summary>
    public bool IsFull => EntryCount >= MaxEntries - 1;

    /// <summary>The newest entry, or (<see cref="NoTimestamp"/>, <see cref="BaseOffset"/>) when empty.</summary>
    public TimestampOffset LastEntry
    {
        get
        {
            int count = EntryCount;
            return count == 0 ? new TimestampOffset(NoTimestamp, BaseOffset) : ReadEntry(count - 1);
        }
    }

    /// <summary>
    /// Adds (<paramref name="timestamp"/>, <paramref name="offset"/>) if the timestamp is above
    /// <see cref="LastEntry"/>'s, and otherwise does nothing. Throws <see cref="ArgumentOutOfRangeException"/>
    /// when the relative offset does not fit in an int32, and <see cref="InvalidOperationException"/>
    /// when the offset is below the last entry's, or an entry is due and the index is full, or it is read-only.
    /// Single writer only.
    /// </summary>
    public void MaybeAppend(long timestamp, long offset) => MaybeAppend(timestamp, offset, skipFullCheck: false);

    /// <summary>
    /// As <see cref="MaybeAppend(long, long)"/>; with <paramref name="skipFullCheck"/> the entry may
    /// also take the last slot that <see cref="IsFull"/> reserves (for the entry added when the segment rolls).
    /// </summary>
    public void MaybeAppend(long timestamp, long offset, bool skipFullCheck)
    {
        ThrowIfNotWritable();
        if (offset < BaseOffset || offset - BaseOffset > int.MaxValue)
        {
            IndexThrow.OffsetOutOfRange(nameof(offset), offset, BaseOffset);
        }

        int count = WriterEntryCount;
        long lastTimestamp = NoTimestamp;
        if (count > 0)
        {
            byte* last = IndexFile.EntryPointer(count - 1);
            long lastOffset = BaseOffset + ReadRelativeOffset(last);
            if (offset < lastOffset)
            {
                IndexThrow.OutOfOrder(Path, "offset", offset, lastOffset);
            }

            lastTimestamp = ReadTimestamp(last);
        }

        if (timestamp <= lastTimestamp)
        {
            return;
        }

        int maxEntries = IndexFile.MaxEntries;
        if (count >= (skipFullCheck ? maxEntries : maxEntries - 1))
        {
            IndexThrow.Full(Path, maxEntries);
        }

        byte* entry = IndexFile.EntryPointer(count);
        BinaryPrimitives.WriteInt64BigEndian(new Span<byte>(entry, sizeof(long)), timestamp);
        BinaryPrimitives.WriteInt32BigEndian(new Span<byte>(entry + sizeof(long), sizeof(int)), (int)(offset - BaseOffset));

        // Publish only after the bytes are in place.
        PublishEntryCount(count + 1);
    }

    /// <summary>
    /// The entry with the largest timestamp at or below <paramref name="targetTimestamp"/>, or
    /// (<see cref="NoTimestamp"/>, <see cref="BaseOffset"/>) when there is none.
    /// </summary>
    public TimestampOffset Lookup(long targetTimestamp)
    {
        int count = EntryCount;
        int slot = IndexSearch.LargestAtOrBelow<TimestampKey>(IndexFile.EntryPointer(0), count, EntrySizeBytes, targetTimestamp);
        return slot < 0 ? new TimestampOffset(NoTimestamp, BaseOffset) : ReadEntry(slot);
    }

    /// <summary>The entry in slot <paramref name="index"/> (0 = oldest).</summary>
    public TimestampOffset EntryAt(int index)
    {
        int count = EntryCount;
        if ((uint)index >= (uint)count)
        {
            IndexThrow.SlotOutOfRange(index, count);
        }

        return ReadEntry(index);
    }

    /// <summary>Drops every entry whose offset is at or above <paramref name="offset"/>. No concurrent readers.</summary>
    public void TruncateTo(long offset) => TruncateTo<TimeIndexOffsetKey>(offset);

    /// <summary>
    /// Checks the entries for corruption: file length a multiple of 12, timestamps non-negative
    /// and strictly increasing, relative offsets non-negative and non-decreasing. Returns false
    /// with a description of the first problem. Reads every entry.
    /// </summary>
    public bool SanityCheck(out string? problem)
    {
        if (!HasWholeEntries("time index", out problem))
        {
            return false;
        }

        int count = EntryCount;
        long previousTimestamp = NoTimestamp;
        int previousRelative = 0;
        for (int slot = 0; slot < count; slot++)
        {
            byte* entry = IndexFile.EntryPointer(slot);
            long timestamp = ReadTimestamp(entry);
            int relative = ReadRelativeOffset(entry);
            if (timestamp <= previousTimestamp)
            {
                problem = $"time index {Path}: entry {slot} has timestamp {timestamp}, not above the previous entry's {previousTimestamp}";
                return false;
            }

            if (relative < previousRelative)
            {
                problem = $"time index {Path}: entry {slot} has relative offset {relative}, below the previous entry's {previousRelative}";
                return false;
            }

            previousTimestamp = timestamp;
            previousRelative = relative;
        }

        problem = null;
        return true;
    }

    public override string ToString() => $"TimeIndex({Path}, base {BaseOffset}, {EntryCount}/{MaxEntries} entries)";

    private static long ReadTimestamp(byte* entry) => BinaryPrimitives.ReadInt64BigEndian(new ReadOnlySpan<byte>(entry, sizeof(long)));

    private static int ReadRelativeOffset(byte* entry) => BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(entry + sizeof(long), sizeof(int)));

    private TimestampOffset ReadEntry(int slot)
    {
        byte* entry = IndexFile.EntryPointer(slot);
        return new TimestampOffset(ReadTimestamp(entry), BaseOffset + ReadRelativeOffset(entry));
    }
}
