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
public sealed unsafe class OffsetIndex : IDisposable
{
    /// <summary>Bytes per entry: int32 relative offset + int32 position.</summary>
    public const int EntrySizeBytes = 8;

    private readonly MappedIndexFile _file;
    private int _maxIndexBytes;

    // Written by the single writer with Volatile.Write after the entry bytes; read by readers with Volatile.Read.
    private int _entryCount;

    /// <summary>
    /// Opens the index at <paramref name="path"/>, or creates it when writable and missing. The
    /// existing entries are the file length / 8 (what a clean close leaves). A writable index is
    /// grown to <paramref name="maxIndexBytes"/> rounded down to whole entries and mapped
    /// read-write; a read-only one maps the file as it is and refuses changes.
    /// </summary>
    public OffsetIndex(string path, long baseOffset, int maxIndexBytes, bool writable = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baseOffset);
        _file = new MappedIndexFile(path, EntrySizeBytes, maxIndexBytes, writable);
        BaseOffset = baseOffset;
        _maxIndexBytes = maxIndexBytes;
        _entryCount = _file.EntriesAtOpen;
    }

    public string Path => _file.Path;

    /// <summary>First offset of the segment; entries store offsets relative to it.</summary>
    public long BaseOffset { get; }

    public bool IsWritable => _file.Writable;

    public int EntryCount => Volatile.Read(ref _entryCount);

    /// <summary>Entries the current mapping holds: the preallocated size while writable, the entry count once trimmed.</summary>
    public int MaxEntries => _file.MaxEntries;

    public bool IsFull => EntryCount >= MaxEntries;

    /// <summary>Bytes of valid entries, the file length a trim leaves.</summary>
    public int SizeBytes => EntryCount * EntrySizeBytes;

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

        int count = _entryCount;
        if (count > 0)
        {
            byte* last = _file.EntryPointer(count - 1);
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

        if (count >= _file.MaxEntries)
        {
            IndexThrow.Full(Path, _file.MaxEntries);
        }

        byte* entry = _file.EntryPointer(count);
        BinaryPrimitives.WriteInt32BigEndian(new Span<byte>(entry, sizeof(int)), (int)(offset - BaseOffset));
        BinaryPrimitives.WriteInt32BigEndian(new Span<byte>(entry + sizeof(int), sizeof(int)), position);

        // Publish only after the bytes are in place.
        Volatile.Write(ref _entryCount, count + 1);
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

        int slot = IndexSearch.LargestAtOrBelow<RelativeOffsetKey>(_file.EntryPointer(0), count, EntrySizeBytes, targetOffset - BaseOffset);
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
    public void TruncateTo(long offset)
    {
        ThrowIfNotWritable();
        int count = _entryCount;
        int keep = 0;
        if (offset > BaseOffset && count > 0)
        {
            // Entries kept are those at or below offset - 1; relative offsets are distinct so this is exact.
            keep = IndexSearch.LargestAtOrBelow<RelativeOffsetKey>(_file.EntryPointer(0), count, EntrySizeBytes, offset - BaseOffset - 1) + 1;
        }

        DropFrom(keep, count);
    }

    /// <summary>
    /// Drops all entries (before a rebuild from the log) and sets the file back to the configured
    /// size, all zeros. Also clears a misaligned-length finding of <see cref="SanityCheck"/>. No concurrent readers.
    /// </summary>
    public void Reset()
    {
        ThrowIfNotWritable();
        Volatile.Write(ref _entryCount, 0);
        _file.ResetToZeros(_file.RoundDownToEntries(_maxIndexBytes));
    }

    /// <summary>
    /// Regrows (or shrinks, never below the current entries) the file to
    /// <paramref name="maxIndexBytes"/> rounded down to whole entries, e.g. when a truncated log
    /// makes a trimmed segment active again. Also the size <see cref="Reset"/> returns to. No concurrent readers.
    /// </summary>
    public void Resize(int maxIndexBytes)
    {
        ThrowIfNotWritable();
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIndexBytes, EntrySizeBytes);
        _maxIndexBytes = maxIndexBytes;
        _file.Resize(Math.Max(_file.RoundDownToEntries(maxIndexBytes), _entryCount * EntrySizeBytes));
    }

    /// <summary>
    /// Shrinks the file to the entries it holds while concurrent readers keep using the index (on
    /// segment roll): the mapping stays, the index becomes full. <see cref="TrimToValidSize"/> is the
    /// variant for when no reader can be active (close).
    /// </summary>
    public void Seal()
    {
        ObjectDisposedException.ThrowIf(_file.IsDisposed, this);
        _file.Seal(_entryCount * EntrySizeBytes);
    }

    /// <summary>
    /// Shrinks the file to exactly <see cref="EntryCount"/> entries (on segment roll and clean
    /// close). The index stays readable; it is then full, so appends need <see cref="Resize"/>
    /// first. Does nothing on a read-only index. No concurrent readers.
    /// </summary>
    public void TrimToValidSize()
    {
        ObjectDisposedException.ThrowIf(_file.IsDisposed, this);
        if (_file.Writable)
        {
            _file.Resize(_entryCount * EntrySizeBytes);
        }
    }

    /// <summary>Writes the mapped entries (and the file length) to disk. Does nothing on a read-only index.</summary>
    public void Flush() => _file.Flush();

    /// <summary>Renames the file (e.g. to mark a segment deleted) without closing it. No concurrent readers.</summary>
    public void RenameTo(string newPath) => _file.RenameTo(newPath);

    /// <summary>
    /// Checks the entries for corruption: file length a multiple of 8, relative offsets
    /// non-negative and strictly increasing, positions non-negative and non-decreasing. Returns
    /// false with a description of the first problem. Reads every entry.
    /// </summary>
    public bool SanityCheck(out string? problem)
    {
        if (_file.LengthWasMisaligned)
        {
            problem = $"index {Path}: file length is not a multiple of the {EntrySizeBytes}-byte entry size";
            return false;
        }

        int count = EntryCount;
        long previousRelative = -1;
        int previousPosition = 0;
        for (int slot = 0; slot < count; slot++)
        {
            byte* entry = _file.EntryPointer(slot);
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

    /// <summary>Unmaps and closes the file without trimming it (callers trim first on a clean close).</summary>
    public void Dispose()
    {
        Volatile.Write(ref _entryCount, 0);
        _file.Dispose();
    }

    public override string ToString() => $"OffsetIndex({Path}, base {BaseOffset}, {EntryCount}/{MaxEntries} entries)";

    private static int ReadRelativeOffset(byte* entry) => BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(entry, sizeof(int)));

    private static int ReadPosition(byte* entry) => BinaryPrimitives.ReadInt32BigEndian(new ReadOnlySpan<byte>(entry + sizeof(int), sizeof(int)));

    private long OffsetAt(int slot) => BaseOffset + ReadRelativeOffset(_file.EntryPointer(slot));

    private OffsetPosition ReadEntry(int slot)
    {
        byte* entry = _file.EntryPointer(slot);
        return new OffsetPosition(BaseOffset + ReadRelativeOffset(entry), ReadPosition(entry));
    }

    private void DropFrom(int keep, int count)
    {
        if (keep >= count)
        {
            return;
        }

        // Unpublish first, then zero, so the dropped slots read as the zero tail of a fresh file.
        Volatile.Write(ref _entryCount, keep);
        _file.Clear(keep, count);
    }

    private void ThrowIfNotWritable()
    {
        if (_file.IsDisposed)
        {
            IndexThrow.Disposed(Path);
        }

        if (!_file.Writable)
        {
            IndexThrow.ReadOnly(Path);
        }
    }
}
