using System.IO.MemoryMappedFiles;

namespace FastLog.Engine.Index;

/// <summary>
/// The file and memory mapping behind an <see cref="OffsetIndex"/> or <see cref="TimeIndex"/>:
/// open, preallocate, map, resize (trim or regrow) and flush. It knows the entry size but not the
/// entry layout or the entry count; the owning index keeps those.
/// </summary>
/// <remarks>
/// The whole file is mapped and the mapping's base pointer is acquired once per mapping, so entry
/// reads and writes are plain pointer accesses with no allocation and no bounds checks beyond the
/// owner's. The pointer only changes in <see cref="Resize"/> and <see cref="Dispose"/>, which the
/// owner's callers run with no concurrent readers.
/// A writable file is grown with <see cref="FileStream.SetLength"/>, which leaves a sparse
/// zero-filled tail: preallocating costs neither disk blocks nor writes until entries land there.
/// </remarks>
internal sealed unsafe class MappedIndexFile : IDisposable
{
    private readonly FileStream _stream;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private byte* _pointer;
    private int _sealedBytes = -1;

    /// <summary>
    /// Opens <paramref name="path"/> (creating it when <paramref name="writable"/>) and maps it.
    /// A writable file is grown to <paramref name="maxIndexBytes"/> rounded down to whole entries,
    /// but never below the whole entries it already holds; a read-only file is mapped as it is.
    /// </summary>
    public MappedIndexFile(string path, int entrySizeBytes, int maxIndexBytes, bool writable)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (writable && maxIndexBytes < entrySizeBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(maxIndexBytes), maxIndexBytes, $"a writable index needs room for at least one {entrySizeBytes}-byte entry");
        }

        Path = path;
        EntrySizeBytes = entrySizeBytes;
        Writable = writable;

        // Share everything: a segment may be reopened read-only, renamed or deleted while this handle is open.
        _stream = new FileStream(
            path,
            writable ? FileMode.OpenOrCreate : FileMode.Open,
            writable ? FileAccess.ReadWrite : FileAccess.Read,
            FileShare.ReadWrite | FileShare.Delete,
            bufferSize: 1);
        try
        {
            long existingBytes = _stream.Length;
            if (existingBytes > int.MaxValue)
            {
                throw new IOException($"index {path} is {existingBytes} bytes, more than an index can hold");
            }

            EntriesAtOpen = (int)(existingBytes / entrySizeBytes);
            LengthWasMisaligned = existingBytes % entrySizeBytes != 0;
            int lengthBytes = (int)existingBytes;
            if (writable)
            {
                if (LengthWasMisaligned)
                {
                    // Drop the stray partial entry first, so the slot it overlapped reads as zeros after the regrow.
                    _stream.SetLength((long)EntriesAtOpen * entrySizeBytes);
                }

                lengthBytes = Math.Max(RoundDownToEntries(maxIndexBytes), EntriesAtOpen * entrySizeBytes);
                if (_stream.Length != lengthBytes)
                {
                    _stream.SetLength(lengthBytes);
                }
            }

            Map(lengthBytes);
        }
        catch
        {
            Unmap();
            _stream.Dispose();
            throw;
        }
    }

    public string Path { get; private set; }

    public int EntrySizeBytes { get; }

    public bool Writable { get; }

    public bool IsDisposed { get; private set; }

    /// <summary>Whole entries in the file when it was opened: the entry count a clean close leaves.</summary>
    public int EntriesAtOpen { get; }

    /// <summary>The file length was not a multiple of the entry size when opened (a sign of corruption), until <see cref="ResetToZeros"/>.</summary>
    public bool LengthWasMisaligned { get; private set; }

    /// <summary>Bytes currently mapped, equal to the file length (read-only: the length found at open).</summary>
    public int MappedBytes { get; private set; }

    /// <summary>Whole entries that fit in the mapping.</summary>
    public int MaxEntries => (_sealedBytes >= 0 ? _sealedBytes : MappedBytes) / EntrySizeBytes;

    /// <summary>
    /// Cuts the file to <paramref name="lengthBytes"/> but keeps the current, larger mapping, so
    /// readers that are using the index right now (a segment that just rolled) keep a valid pointer.
    /// Safe because readers never touch entries past the count, which all lie inside the new length;
    /// no entry can be added afterwards (<see cref="MaxEntries"/> shrinks to the kept entries).
    /// </summary>
    public void Seal(int lengthBytes)
    {
        if (!Writable)
        {
            return;
        }

        _stream.SetLength(lengthBytes);
        _sealedBytes = lengthBytes;
    }

    /// <summary>Start of entry <paramref name="slot"/>; the caller keeps the slot within <see cref="MaxEntries"/>.</summary>
    public byte* EntryPointer(int slot) => _pointer + ((long)slot * EntrySizeBytes);

    public int RoundDownToEntries(int bytes) => bytes / EntrySizeBytes * EntrySizeBytes;

    /// <summary>Sets the file length to <paramref name="lengthBytes"/> and maps it again. Writable files only.</summary>
    public void Resize(int lengthBytes)
    {
        // Unmap before changing the length: touching a mapped page past the end of a shrunk file
        // faults, and some platforms refuse to truncate a mapped file at all.
        Unmap();
        _sealedBytes = -1;
        if (_stream.Length != lengthBytes)
        {
            _stream.SetLength(lengthBytes);
        }

        Map(lengthBytes);
    }

    /// <summary>
    /// Empties the file and regrows it to <paramref name="lengthBytes"/> of zeros. Cutting to zero
    /// first lets the file system drop the old blocks instead of this process writing zeros over a
    /// possibly fully preallocated file. Also forgets a misaligned length at open.
    /// </summary>
    public void ResetToZeros(int lengthBytes)
    {
        Resize(0);
        Resize(lengthBytes);
        LengthWasMisaligned = false;
    }

    /// <summary>Zeroes slots [<paramref name="fromSlot"/>, <paramref name="toSlot"/>).</summary>
    public void Clear(int fromSlot, int toSlot)
    {
        if (toSlot > fromSlot)
        {
            new Span<byte>(EntryPointer(fromSlot), (toSlot - fromSlot) * EntrySizeBytes).Clear();
        }
    }

    /// <summary>Writes dirty mapped pages and the file length to disk.</summary>
    public void Flush()
    {
        if (!Writable || IsDisposed)
        {
            return;
        }

        _view?.Flush();
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Renames the file; the mapping stays valid because it refers to the open file, not the name.</summary>
    public void RenameTo(string newPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(newPath);
        File.Move(Path, newPath);
        Path = newPath;
    }

    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        IsDisposed = true;
        Unmap();
        _stream.Dispose();
    }

    private void Map(int lengthBytes)
    {
        // An empty file cannot be mapped; with no entries nothing will be read through the pointer.
        if (lengthBytes == 0)
        {
            return;
        }

        MemoryMappedFileAccess access = Writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read;
        _map = MemoryMappedFile.CreateFromFile(_stream, mapName: null, lengthBytes, access, HandleInheritability.None, leaveOpen: true);
        _view = _map.CreateViewAccessor(0, lengthBytes, access);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + _view.PointerOffset;
        MappedBytes = lengthBytes;
    }

    private void Unmap()
    {
        if (_view is not null)
        {
            if (_pointer is not null)
            {
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
            }

            _view.Dispose();
            _view = null;
        }

        _map?.Dispose();
        _map = null;
        _pointer = null;
        MappedBytes = 0;
    }
}
