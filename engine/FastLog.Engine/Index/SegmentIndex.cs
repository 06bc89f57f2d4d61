namespace FastLog.Engine.Index;

/// <summary>
/// What a segment's two indexes share (<see cref="OffsetIndex"/>, <see cref="TimeIndex"/>): a
/// memory-mapped file of fixed-size entries, preallocated with a zero tail while writable, the entry
/// count published to lock-free readers, and the life cycle the segment drives (reset, resize,
/// seal, trim, flush, rename, dispose). Each subclass owns its entry layout, appends, lookups and
/// sanity rules; the life cycle is one piece of code, as in Kafka's AbstractIndex.
/// </summary>
/// <remarks>
/// Thread-safety: one writer appends (under the partition's append lock) and publishes the new count
/// with a volatile write only after the entry's bytes are in place; readers read the count with a
/// volatile read and never look past it. <see cref="Reset"/>, <see cref="Resize"/>,
/// <see cref="TrimToValidSize"/>, <see cref="RenameTo"/>, <see cref="Dispose"/> and the subclasses'
/// truncation remap or invalidate entries: the caller runs them with no concurrent readers.
/// </remarks>
public abstract class SegmentIndex : IDisposable
{
    private int _maxIndexBytes;

    // Written by the single writer with Volatile.Write after the entry bytes; read by readers with Volatile.Read.
    private int _entryCount;

    /// <summary>
    /// Opens the index at <paramref name="path"/>, or creates it when writable and missing. The
    /// existing entries are the file length divided by <paramref name="entrySizeBytes"/> (what a clean
    /// close leaves). A writable index is grown to <paramref name="maxIndexBytes"/> rounded down to
    /// whole entries and mapped read-write; a read-only one maps the file as it is and refuses changes.
    /// </summary>
    private protected SegmentIndex(string path, long baseOffset, int entrySizeBytes, int maxIndexBytes, bool writable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baseOffset);
        IndexFile = new MappedIndexFile(path, entrySizeBytes, maxIndexBytes, writable);
        BaseOffset = baseOffset;
        _maxIndexBytes = maxIndexBytes;
        _entryCount = IndexFile.EntriesAtOpen;
    }

    public string Path => IndexFile.Path;

    /// <summary>First offset of the segment; entries store offsets relative to it.</summary>
    public long BaseOffset { get; }

    public bool IsWritable => IndexFile.Writable;

    public int EntryCount => Volatile.Read(ref _entryCount);

    /// <summary>Entries the current mapping holds: the preallocated size while writable, the entry count once trimmed.</summary>
    public int MaxEntries => IndexFile.MaxEntries;

    /// <summary>Bytes of valid entries, the file length a trim leaves.</summary>
    public int SizeBytes => EntryCount * IndexFile.EntrySizeBytes;

    private protected MappedIndexFile IndexFile { get; }

    /// <summary>The count as the single writer sees it (no volatile read needed on the writer's own thread).</summary>
    private protected int WriterEntryCount => _entryCount;

    /// <summary>
    /// Drops all entries (before a rebuild from the log) and sets the file back to the configured
    /// size, all zeros. Also clears a misaligned-length finding of the sanity check. No concurrent readers.
    /// </summary>
    public void Reset()
    {
        ThrowIfNotWritable();
        Volatile.Write(ref _entryCount, 0);
        IndexFile.ResetToZeros(IndexFile.RoundDownToEntries(_maxIndexBytes));
    }

    /// <summary>
    /// Regrows (or shrinks, never below the current entries) the file to
    /// <paramref name="maxIndexBytes"/> rounded down to whole entries, e.g. when a truncated log
    /// makes a trimmed segment active again. Also the size <see cref="Reset"/> returns to. No concurrent readers.
    /// </summary>
    public void Resize(int maxIndexBytes)
    {
        ThrowIfNotWritable();
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIndexBytes, IndexFile.EntrySizeBytes);
        _maxIndexBytes = maxIndexBytes;
        IndexFile.Resize(Math.Max(IndexFile.RoundDownToEntries(maxIndexBytes), _entryCount * IndexFile.EntrySizeBytes));
    }

    /// <summary>
    /// Shrinks the file to the entries it holds while concurrent readers keep using the index (on
    /// segment roll): the mapping stays, the index becomes full. <see cref="TrimToValidSize"/> is the
    /// variant for when no reader can be active (close).
    /// </summary>
    public void Seal()
    {
        ObjectDisposedException.ThrowIf(IndexFile.IsDisposed, this);
        IndexFile.Seal(_entryCount * IndexFile.EntrySizeBytes);
    }

    /// <summary>
    /// Shrinks the file to exactly <see cref="EntryCount"/> entries (on segment roll and clean
    /// close). The index stays readable; it is then full, so appends need <see cref="Resize"/>
    /// first. Does nothing on a read-only index. No concurrent readers.
    /// </summary>
    public void TrimToValidSize()
    {
        ObjectDisposedException.ThrowIf(IndexFile.IsDisposed, this);
        if (IndexFile.Writable)
        {
            IndexFile.Resize(_entryCount * IndexFile.EntrySizeBytes);
        }
    }

    /// <summary>Writes the mapped entries (and the file length) to disk. Does nothing on a read-only index.</summary>
    public void Flush() => IndexFile.Flush();

    /// <summary>Renames the file (e.g. to mark a segment deleted) without closing it. No concurrent readers.</summary>
    public void RenameTo(string newPath) => IndexFile.RenameTo(newPath);

    /// <summary>Unmaps and closes the file without trimming it (callers trim first on a clean close).</summary>
    public void Dispose()
    {
        Volatile.Write(ref _entryCount, 0);
        IndexFile.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Makes the entry in slot <paramref name="count"/> - 1 visible to readers; its bytes must be in place.</summary>
    private protected void PublishEntryCount(int count) => Volatile.Write(ref _entryCount, count);

    /// <summary>
    /// Drops every entry whose offset is at or above <paramref name="offset"/>, finding the first one
    /// with <typeparamref name="TOffsetKey"/>, which reads an entry's relative offset (the slot kept
    /// last is the last one at or below <paramref name="offset"/> - 1, also when offsets repeat). No
    /// concurrent readers.
    /// </summary>
    private protected unsafe void TruncateTo<TOffsetKey>(long offset)
        where TOffsetKey : struct, IIndexKey
    {
        ThrowIfNotWritable();
        int count = _entryCount;
        int keep = 0;
        if (offset > BaseOffset && count > 0)
        {
            keep = IndexSearch.LargestAtOrBelow<TOffsetKey>(IndexFile.EntryPointer(0), count, IndexFile.EntrySizeBytes, offset - BaseOffset - 1) + 1;
        }

        DropFrom(keep, count);
    }

    /// <summary>Drops the entries in slots [<paramref name="keep"/>, <paramref name="count"/>). No concurrent readers.</summary>
    private void DropFrom(int keep, int count)
    {
        if (keep >= count)
        {
            return;
        }

        // Unpublish first, then zero, so the dropped slots read as the zero tail of a fresh file.
        Volatile.Write(ref _entryCount, keep);
        IndexFile.Clear(keep, count);
    }

    /// <summary>The sanity check every index starts with: a file length of whole entries.</summary>
    private protected bool HasWholeEntries(string kind, out string? problem)
    {
        if (IndexFile.LengthWasMisaligned)
        {
            problem = $"{kind} {Path}: file length is not a multiple of the {IndexFile.EntrySizeBytes}-byte entry size";
            return false;
        }

        problem = null;
        return true;
    }

    private protected void ThrowIfNotWritable()
    {
        if (IndexFile.IsDisposed)
        {
            IndexThrow.Disposed(Path);
        }

        if (!IndexFile.Writable)
        {
            IndexThrow.ReadOnly(Path);
        }
    }
}
