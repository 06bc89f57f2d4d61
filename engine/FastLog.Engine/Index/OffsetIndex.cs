using System.Buffers.Binary;

namespace FastLog.Engine.Index;

/// <summary>
/// Sparse offset index of one log segment (<c>{base offset:D20}.index</c>): maps an offset to the
/// byte position in the segment's .log file from which a reader scans forward to find it.
/// </summary>
/// <remarks>
/// <para><b>Layout</b> (Kafka's): a flat array of 8-byte big-endian entries, no header:
/// int32 offset relative to <see cref="BaseOffset"/>, then int32 position in the .log file.
/// Relative offsets strictly increase and positions never decrease. While writable the file is
/// preallocated to the configured size and the unused tail is zeros; <see cref="TrimToValidSize"/>
/// (on segment roll and clean close) cuts it to exactly the entries, which is how the next open
/// knows the entry count: file length / 8.</para>
/// <para><b>Thread-safety</b>: one writer (the partition appender, under its lock) calls
/// <see cref="Append"/>; any number of readers call <see cref="Lookup"/>, <see cref="EntryAt"/>
/// and the properties concurrently, without locks. The writer stores the entry bytes and only then
/// publishes the new count with a volatile write; readers read the count with a volatile read and
/// never look past it, so they never see a half-written entry. <see cref="TruncateTo"/>,
/// <see cref="Reset"/>, <see cref="Resize"/>, <see cref="TrimToValidSize"/>, <see cref="RenameTo"/>
/// and <see cref="Dispose"/> remap or invalidate entries: the caller runs them with no concurrent readers.</para>
/// <para><b>Crash behaviour</b>: there is no checksum. After an unclean stop the file may still have
/// its preallocated length, so "length / 8" counts zero entries past the real ones; the caller
/// rebuilds indexes from the log after an unclean stop, and <see cref="SanityCheck"/> rejects such a
/// file (a zero entry after a real one, or two zero entries, breaks the strict offset order) as
/// well as other garbage. Truncation zeroes the slots it drops so a later untrimmed file always has
/// that zero tail rather than stale entries that could still look ordered.</para>
/// </remarks>
public sealed unsafe class OffsetIndex : SegmentIndex
{
    /// <summary>Bytes per entry: int32 relative offset + int32 position.</summary>
    public const int EntrySizeBytes = 8;

    /// <summary>
    /// Opens the index at <paramref name="path"/>, or creates it when writable and missing. The
    /// existing entries are the file length / 8 (what a clean close leaves). A writable index is
    /// grown to <paramref name="maxIndexBytes"/> rounded down to whole entries and mapped
    /// read-write; a read-only one maps the file as it is and refuses changes.
    /// </summary>
    public OffsetIndex(string path, long baseOffset, int maxIndexBytes, bool writable = true)
        : base(path, baseOffset, EntrySizeBytes, maxIndexBytes, writable)
    {
    }

    public bool IsFull => EntryCount >= MaxEntries;

    /// <summary>Offset of the last entry, or <see cref="BaseOffset"/> when empty.</summary>
    public long LastOffset
    {
        get
        {
            int count = EntryCount;
            return count == 0 ? BaseOffset : OffsetAt(count - 1);
        }
    }

    /// <summary>Whether <paramref name="offset"/> is representable in this index (relative offset fits in an int32).</summary>
    public bool CanAppendOffset(long offset) => offset >= BaseOffset && offset - BaseOffset <= int.MaxValue;

    /// <summary>
    /// Adds an entry. Throws <see cref="ArgumentOutOfRangeException"/> when the relative offset
    /// does not fit in an int32 or the position is negative, and <see cref="InvalidOperationException"/>
    /// when the offset does not exceed <see cref="LastOffset"/>, the position goes backwards, the
    /// index is full or it is read-only. Single writer only.
    /// </summary>
    public void Append(long offset, int position)
    {
        ThrowIfNotWritable();
        if (!CanAppendOffset(offset))
        {
            IndexThrow.OffsetOutOfRange(nameof(offset), offset, BaseOffset);
        }

        if (position < 0)
        {
            IndexThrow.NegativePosition(position);
        }

        int count = WriterEntryCount;
        if (count > 0)
        {
            byte* last = IndexFile.EntryPointer(count - 1);
            long lastOffset = BaseOffset + ReadRelativeOffset(last);
            if (offset <= lastOffset)
            {
                IndexThrow.OutOfOrder(Path, "offset", offset, lastOffset);
            }

            int lastPosition = ReadPosition(last);
            if (position < lastPosition)
            {
                IndexThrow.OutOfOrder(Path, "position", position, lastPosition);
            }
        }

        if (count >= IndexFile.MaxEntries)
        {
            IndexThrow.Full(Path, IndexFile.MaxEntries);
        }

        byte* entry = IndexFile.EntryPointer(count);
        BinaryPrimitives.WriteInt32BigEndian(new Span<byte>(entry, sizeof(int)), (int)(offset - BaseOffset));
        BinaryPrimitives.WriteInt32BigEndian(new Span<byte>(entry + sizeof(int), sizeof(int)), position);

        // Publish only after the bytes are in place.
        PublishEntryCount(count + 1);
    }

    /// <summary>
    /// The entry with the largest offset at or below <paramref name="targetOffset"/>, or
    /// (<see cref="BaseOffset"/>, 0) when there is none: scanning the .log from that position finds the target.
    /// </summary>
    public OffsetPosition Lookup(long targetOffset)
    {
        int count = EntryCount;
        if (count == 0 || targetOffset < BaseOffset)
        {
            return new OffsetPosition(BaseOffset, 0);
        }

        int slot = IndexSearch.LargestAtOrBelow<RelativeOffsetKey>(IndexFile.EntryPointer(0), count, EntrySizeBytes, targetOffset - BaseOffset);
        return slot < 0 ? new OffsetPosition(BaseOffset, 0) : ReadEntry(slot);
    }

    /// <summary>The entry in slot <paramref name="index"/> (0 = oldest).</summary>
    public OffsetPosition EntryAt(int index)
    {
        int count = EntryCount;
        if ((uint)index >= (uint)count)
        {
            IndexThrow.SlotOutOfRange(index, count);
        }

        return ReadEntry(index);
    }

    /// <summary>Drops every entry whose offset is at or above <paramref name="offset"/>. No concurrent readers.</summary>
    public void TruncateTo(long offset) => TruncateTo<RelativeOffsetKey>(offset);

    /// <summary>
    /// Checks the entries for corruption: file length a multiple of 8, relative offsets
    /// non-negative and strictly increasing, positions non-negative and non-decreasing. Returns
    /// false with a description of the first problem. Reads every entry.
    /// </summary>
    public bool SanityCheck(out string? problem)
    {
        if (!HasWholeEntries("index", out problem))
        {
            return false;
        }

        int count = EntryCount;
        long previousRelative = -1;
        int previousPosition = 0;
        for (int slot = 0; slot < count; slot++)
        {
            byte* entry = IndexFile.EntryPointer(slot);
            int relative = ReadRelativeOffset(entry);
            int position = ReadPosition(entry);
            if (relative <= previousRelative)
            {
                problem = $"index {Path}: entry {slot} has relative offset {relative}, not above the previous entry's {previousRelative}";
                return false;
            }

            if (position < previousPosition)
            {
                problem = $"index {Path}: entry {slot} has position {position}, below the previous entry's {previousPosition}";
                return false;
            }

            previousRelative = relative;
            previousPosition = position;
        }

        problem = null;
        return true;
    }

    public override string ToString() => $"OffsetIndex({Path}, base {BaseOffset}, {EntryCount}/{MaxEntries} entries)";

    private static int ReadRelativeOffset(byte* entry) => BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(entry, sizeof(int)));

    private static int ReadPosition(byte* entry) => BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(entry + sizeof(int), sizeof(int)));

    private long OffsetAt(int slot) => BaseOffset + ReadRelativeOffset(IndexFile.EntryPointer(slot));

    private OffsetPosition ReadEntry(int slot)
    {
        byte* entry = IndexFile.EntryPointer(slot);
        return new OffsetPosition(BaseOffset + ReadRelativeOffset(entry), ReadPosition(entry));
    }
}
