using System.Runtime.InteropServices;
using FastLog.Engine.Storage;
using Microsoft.Win32.SafeHandles;

namespace FastLog.Engine.Segments;

/// <summary>
/// A partition's write buffer: the active segment's newest bytes, kept in memory the broker owns and
/// written to the segment file with direct I/O, never through the page cache. Handed from segment to
/// segment at each roll, so the same memory is reused for the partition's whole life.
/// </summary>
/// <remarks>
/// <para>Why: see <see cref="DirectIo"/>. Appends copy into memory that was touched once, at creation;
/// the file is written in whole pages straight from it; consumers that keep up read from it too.</para>
/// <para>Layout: a ring. The byte at file position p lives at <c>p % CapacityBytes</c>, and the capacity
/// is a multiple of the page size, so every page of the file maps to one aligned page of the ring and
/// is written from there. A page holding the end of the data is written through a separate scratch
/// page whose bytes past the end are zeros, and written again once it fills: a crash leaves zeros
/// after the last batch, which recovery cuts like any torn tail.</para>
/// <para>Invariants, for the attached segment: the file holds every byte below <c>written</c>; the ring
/// holds every byte from <c>max(start, reserved - capacity)</c> up to the segment's published size.
/// An appender never lets <c>reserved</c> run more than a capacity ahead of the last page written
/// (it writes out first), so a ring slot is reused only for bytes the file already holds.</para>
/// <para>Threading: one appender (the partition's append lock); writes to the file under
/// <see cref="_writeLock"/> from the appender, the journal's writeback tick or a flusher; readers
/// without a lock, as a sequence lock: they copy, then check that neither a roll (the generation) nor
/// the appender (<c>reserved</c>) reused what they copied, and otherwise read again, from the file.</para>
/// </remarks>
public sealed class SegmentWriteBuffer
{
    /// <summary>The smallest buffer: a batch is copied in chunks of half the capacity, each with at least a page to spare.</summary>
    public const int MinCapacityBytes = 64 * 1024;

    private readonly byte[] _memory;
    private readonly int _ringOffset;
    private readonly int _scratchOffset;
    private readonly Lock _writeLock = new();

    // A sequence count: odd while detached (or being attached), even while serving one segment. A reader
    // that saw the same even value before and after its copy read that segment's bytes.
    private long _generation = 1;

    // The segment served now (null while detached): a writer that read its segment's size just before
    // a roll handed the buffer on must not write that size's worth of the next segment's ring.
    private object? _owner;
    private SafeFileHandle? _direct;
    private long _startBytes;
    private long _reservedEndBytes;
    private long _writtenBytes;

    /// <summary>Allocates the buffer, rounded up to whole pages, and touches all of it now, so appends never fault a page in.</summary>
    public SegmentWriteBuffer(int capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, MinCapacityBytes);
        CapacityBytes = (int)Math.Min(int.MaxValue - (3L * DirectIo.PageBytes), ((long)capacityBytes + DirectIo.PageBytes - 1) & ~(long)(DirectIo.PageBytes - 1));

        // Pinned: direct I/O reads the memory from the device side, and the alignment must hold for good.
        _memory = GC.AllocateArray<byte>(CapacityBytes + (2 * DirectIo.PageBytes), pinned: true);
        long address = Marshal.UnsafeAddrOfPinnedArrayElement(_memory, 0).ToInt64();
        _ringOffset = (int)((DirectIo.PageBytes - (address % DirectIo.PageBytes)) % DirectIo.PageBytes);
        _scratchOffset = _ringOffset + CapacityBytes;

        // Touched now (the array's zeros may be pages the kernel has not handed out yet).
        _memory.AsSpan().Clear();
    }

    public int CapacityBytes { get; }

    private Span<byte> Ring => _memory.AsSpan(_ringOffset, CapacityBytes);

    private Span<byte> Scratch => _memory.AsSpan(_scratchOffset, DirectIo.PageBytes);

    /// <summary>
    /// Starts serving a segment of <paramref name="sizeBytes"/> bytes, written through <paramref name="direct"/>
    /// (which the buffer now owns); the bytes of the last, partial page are read back through
    /// <paramref name="buffered"/>, since the next write of that page rewrites them.
    /// </summary>
    internal void Attach(object owner, SafeFileHandle direct, SafeFileHandle buffered, int sizeBytes)
    {
        lock (_writeLock)
        {
            Release();
            long start = sizeBytes & ~(long)(DirectIo.PageBytes - 1);
            int partial = (int)(sizeBytes - start);
            if (partial > 0)
            {
                var page = Ring.Slice(RingIndex(start), partial);
                if (RandomAccess.Read(buffered, page, start) != partial)
                {
                    direct.Dispose();
                    throw new IOException($"segment file shorter than its {sizeBytes} bytes");
                }
            }

            // The count is odd here (detached): readers ignore the fields until it turns even.
            _owner = owner;
            _direct = direct;
            _startBytes = start;
            _writtenBytes = sizeBytes;
            _reservedEndBytes = sizeBytes;
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>
    /// Stops serving the segment and closes its direct handle, without writing: a roll writes
    /// everything out first (<see cref="WriteAll"/>); a segment closed after a failure has nothing to save.
    /// </summary>
    internal void Detach()
    {
        lock (_writeLock)
        {
            Release();
        }
    }

    // Under _writeLock: back to odd (detached).
    private void Release()
    {
        if ((Volatile.Read(ref _generation) & 1) == 0)
        {
            Interlocked.Increment(ref _generation);
        }

        _owner = null;
        _direct?.Dispose();
        _direct = null;
    }

    /// <summary>
    /// Copies <paramref name="bytes"/> to file position <paramref name="position"/> (the segment's size,
    /// not yet published). Writes out first whenever the ring would otherwise reuse bytes the file does not hold yet.
    /// </summary>
    internal void Append(ReadOnlySpan<byte> bytes, long position)
    {
        int chunkBytes = CapacityBytes / 2;
        while (!bytes.IsEmpty)
        {
            var chunk = bytes[..Math.Min(bytes.Length, chunkBytes)];
            long end = position + chunk.Length;
            if (end - PageStart(Volatile.Read(ref _writtenBytes)) > CapacityBytes)
            {
                // The writeback tick fell behind (or the batch is huge): the appender writes itself.
                lock (_writeLock)
                {
                    WriteOut(_owner, position, includePartialPage: true);
                }
            }

            // Announced before the copy: a reader that copied a slot this overwrites sees it afterwards.
            Volatile.Write(ref _reservedEndBytes, end);
            Interlocked.MemoryBarrier();
            CopyIn(chunk, position);
            bytes = bytes[chunk.Length..];
            position = end;
        }
    }

    /// <summary>Writes <paramref name="owner"/>'s whole pages below <paramref name="sizeBytes"/> not written yet, when there are at least <paramref name="minBytes"/> of them (nothing once the buffer serves another segment).</summary>
    internal void WritePages(object owner, long sizeBytes, int minBytes)
    {
        if (PageStart(sizeBytes) - PageStart(Volatile.Read(ref _writtenBytes)) < minBytes)
        {
            return;
        }

        lock (_writeLock)
        {
            WriteOut(owner, sizeBytes, includePartialPage: false);
        }
    }

    /// <summary>Writes every byte of <paramref name="owner"/>'s below <paramref name="sizeBytes"/> the file does not hold yet, the last partial page included (nothing once the buffer serves another segment).</summary>
    internal void WriteAll(object owner, long sizeBytes)
    {
        lock (_writeLock)
        {
            WriteOut(owner, sizeBytes, includePartialPage: true);
        }
    }

    /// <summary>
    /// Copies the bytes at <paramref name="position"/> that the ring still holds for the segment of
    /// generation <paramref name="generation"/> into the end of <paramref name="destination"/>. Returns
    /// how many leading bytes it did not copy (they are in the file), or -1 when a roll or the appender
    /// reused the ring during the copy (read again).
    /// </summary>
    internal int TryRead(Span<byte> destination, long position, long generation)
    {
        long low = HeldFromBytes;
        long end = position + destination.Length;
        long from = Math.Clamp(low, position, end);
        if (from < end)
        {
            CopyOut(destination[(int)(from - position)..], from);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _generation) != generation || Volatile.Read(ref _reservedEndBytes) - CapacityBytes > from)
            {
                return -1;
            }
        }

        return (int)(from - position);
    }

    /// <summary>The first file position the ring still holds (everything before it is in the file); meaningful while the generation does not change.</summary>
    internal long HeldFromBytes => Math.Max(Volatile.Read(ref _startBytes), Volatile.Read(ref _reservedEndBytes) - CapacityBytes);

    /// <summary>The current generation (odd: serving no segment). Read it before checking that the buffer is still the segment's.</summary>
    internal long Generation => Volatile.Read(ref _generation);

    private static long PageStart(long position) => position & ~(long)(DirectIo.PageBytes - 1);

    private int RingIndex(long position) => (int)(position % CapacityBytes);

    // Under _writeLock.
    private void WriteOut(object? owner, long sizeBytes, bool includePartialPage)
    {
        var direct = _direct;
        long written = _writtenBytes;
        if (direct is null || owner is null || !ReferenceEquals(owner, _owner) || sizeBytes <= written)
        {
            return;
        }

        long from = PageStart(written);
        long fullEnd = PageStart(sizeBytes);
        if (fullEnd > from)
        {
            // One write, or two where the range wraps around the ring's end.
            int index = RingIndex(from);
            int first = (int)Math.Min(fullEnd - from, CapacityBytes - index);
            RandomAccess.Write(direct, Ring.Slice(index, first), from);
            if (first < fullEnd - from)
            {
                RandomAccess.Write(direct, Ring[..(int)(fullEnd - from - first)], from + first);
            }

            written = fullEnd;
        }

        if (includePartialPage && sizeBytes > fullEnd)
        {
            int partial = (int)(sizeBytes - fullEnd);
            var scratch = Scratch;
            Ring.Slice(RingIndex(fullEnd), partial).CopyTo(scratch);
            scratch[partial..].Clear();
            RandomAccess.Write(direct, scratch, fullEnd);
            written = sizeBytes;
        }

        Volatile.Write(ref _writtenBytes, written);
    }

    private void CopyIn(ReadOnlySpan<byte> bytes, long position)
    {
        int index = RingIndex(position);
        int first = Math.Min(bytes.Length, CapacityBytes - index);
        bytes[..first].CopyTo(Ring[index..]);
        bytes[first..].CopyTo(Ring);
    }

    private void CopyOut(Span<byte> destination, long position)
    {
        int index = RingIndex(position);
        int first = Math.Min(destination.Length, CapacityBytes - index);
        Ring.Slice(index, first).CopyTo(destination);
        Ring[..(destination.Length - first)].CopyTo(destination[first..]);
    }
}
