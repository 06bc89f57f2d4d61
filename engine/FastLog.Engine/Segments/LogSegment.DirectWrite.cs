using FastLog.Engine.Storage;

namespace FastLog.Engine.Segments;

/// <summary>
/// The active segment written through its partition's <see cref="SegmentWriteBuffer"/> (direct I/O)
/// instead of the page cache, and every read that may touch the bytes only the buffer holds yet.
/// </summary>
/// <remarks>
/// While a buffer is attached, appends only copy into it; the file is written in whole pages by the
/// journal's writeback tick (<see cref="WriteBufferedPages"/>), by <see cref="Sync"/> before its
/// fdatasync, and by the appender itself when the buffer is full. Reads go through
/// <see cref="ReadAt"/>, which takes what the buffer still holds from it and the rest from the file.
/// No zero-filled tail is prepared: the buffer writes whole pages past the end of the data itself.
/// </remarks>
public sealed partial class LogSegment
{
    private SegmentWriteBuffer? _writeBuffer;

    /// <summary>Whether appends go to a write buffer rather than to the page cache.</summary>
    public bool HasWriteBuffer => Volatile.Read(ref _writeBuffer) is not null;

    /// <summary>
    /// From now on appends go to <paramref name="buffer"/>, and from it to the file with direct I/O.
    /// Returns false (and appends keep using the page cache) when the file system has no direct I/O.
    /// Caller holds the partition's append lock.
    /// </summary>
    internal bool AttachWriteBuffer(SegmentWriteBuffer buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var direct = DirectIo.TryOpen(LogPath);
        if (direct is null)
        {
            return false;
        }

        buffer.Attach(this, direct, _log, _sizeBytes);
        Volatile.Write(ref _writeBuffer, buffer);
        return true;
    }

    /// <summary>
    /// Writes out what only the buffer holds and takes the buffer back (at a roll, to hand it to the
    /// next segment). Readers fall back to the file. Caller holds the partition's append lock.
    /// </summary>
    internal SegmentWriteBuffer? DetachWriteBuffer()
    {
        var buffer = _writeBuffer;
        if (buffer is null)
        {
            return null;
        }

        // Everything reaches the file before readers are sent there.
        buffer.WriteAll(this, _sizeBytes);
        Volatile.Write(ref _writeBuffer, null);
        buffer.Detach();
        NoteDirectWriteEnd();
        return buffer;
    }

    // The buffer writes whole pages, so the file may end past the batches in zeros: recorded as a
    // prepared tail, which a roll or clean close cuts (TrimPreparedTail).
    private void NoteDirectWriteEnd()
    {
        long length = RandomAccess.GetLength(_log);
        if (length > Volatile.Read(ref _preparedEndBytes))
        {
            Volatile.Write(ref _preparedEndBytes, length);
        }
    }

    /// <summary>The journal's writeback tick: writes the whole pages only the buffer holds, when there are at least <paramref name="minBytes"/>. False without a buffer.</summary>
    internal bool WriteBufferedPages(int minBytes)
    {
        var buffer = Volatile.Read(ref _writeBuffer);
        if (buffer is null)
        {
            return false;
        }

        buffer.WritePages(this, SizeBytes, minBytes);
        return true;
    }

    /// <summary>
    /// Reads segment bytes at <paramref name="position"/> into <paramref name="destination"/>, from the
    /// write buffer where it still holds them and from the file otherwise. Returns the bytes read
    /// (fewer only at the end of the file). Callers stay below <see cref="SizeBytes"/>.
    /// </summary>
    public int ReadAt(Span<byte> destination, long position)
    {
        while (true)
        {
            var buffer = Volatile.Read(ref _writeBuffer);
            if (buffer is null)
            {
                return ReadFile(destination, position);
            }

            long generation = buffer.Generation;
            if ((generation & 1) != 0 || !ReferenceEquals(Volatile.Read(ref _writeBuffer), buffer))
            {
                continue; // being handed over: the next look finds it gone or settled
            }

            int fileBytes = buffer.TryRead(destination, position, generation);
            if (fileBytes < 0)
            {
                continue; // reused while copying: read again (the file now holds more)
            }

            int read = fileBytes == 0 ? 0 : ReadFile(destination[..fileBytes], position);
            return read < fileBytes ? read : destination.Length;
        }
    }

    /// <summary>
    /// How many leading bytes of the range at <paramref name="position"/> only the file holds (all of
    /// them without a write buffer): those can be sent from the file, the rest is best copied through
    /// <see cref="ReadAt"/>. A hint: a later read still checks.
    /// </summary>
    public int LeadingFileOnlyBytes(long position, int lengthBytes)
    {
        var buffer = Volatile.Read(ref _writeBuffer);
        return buffer is null ? lengthBytes : (int)Math.Clamp(buffer.HeldFromBytes - position, 0, lengthBytes);
    }

    private int ReadFile(Span<byte> destination, long position)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(_log, destination[total..], position + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
