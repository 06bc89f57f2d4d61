namespace FastLog.Engine.Segments;

/// <summary>
/// Preallocation of the active segment's tail: zeros written and fsynced ahead of the appends.
/// </summary>
/// <remarks>
/// <para>Why: an fdatasync after an append that grew the file must also persist the new blocks'
/// allocation and the new file size. On ext4 that is extra metadata writes per sync (without a
/// journal: block bitmap and extent blocks, then a synchronous inode write, each its own device
/// round trip), and
/// the append itself pays for delayed-allocation bookkeeping and for zeroing each new page. When a
/// partition is fsynced after every few kilobytes (acks=all with many partitions), those costs are
/// most of the sync. Appends that land on blocks which already exist, are already written and lie
/// inside the file's size make the sync a plain data write plus a cache flush (fio here: 4 KiB
/// writes with fdatasync take about 60% of the time when they overwrite a laid-out file).</para>
/// <para>How: the flusher that syncs a partition extends the zero-filled tail by a step once the
/// appends come close to its end, and fsyncs the zeros itself, so the appends' own syncs find
/// nothing but data to write. Zeros cost a second write of every byte, which only pays when syncs
/// are small; the caller decides when (see <c>PartitionLog.AfterFlush</c>).</para>
/// <para>Safety: bytes past <see cref="SizeBytes"/> are never read, an unclean stop recovers the
/// segment by walking its batches (a zero header ends the walk, and the tail is cut), and a roll or
/// clean close trims the file back to its batches (<see cref="TrimPreparedTail"/>), so closed
/// segments keep Kafka's layout.</para>
/// <para>Threading: appends inside the prepared tail write without a lock; an append past it, the
/// preparation's zero writes and the trim take <see cref="_tailLock"/>, so zeros never land on
/// bytes an append wrote.</para>
/// </remarks>
public sealed partial class LogSegment
{
    /// <summary>Zero bytes written per call while extending the tail.</summary>
    private static readonly byte[] s_zeros = new byte[256 * 1024];

    private readonly Lock _tailLock = new();

    // The file's length as this segment made it: batches and, past them, prepared zeros.
    private long _preparedEndBytes;
    private bool _tailSealed;

    /// <summary>Bytes of zero-filled file past the batches (0 when nothing is prepared).</summary>
    public long PreparedTailBytes => Math.Max(0, Volatile.Read(ref _preparedEndBytes) - SizeBytes);

    /// <summary>
    /// Writes zeros from the end of the file to <paramref name="stepBytes"/> past the batches (never
    /// past <paramref name="limitBytes"/>), then fsyncs them. Called by the partition's flusher, never
    /// concurrently with itself; appends may run meanwhile. Returns false when nothing was written
    /// (sealed segment, or the tail already reaches the target).
    /// </summary>
    public bool ExtendPreparedTail(int stepBytes, int limitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepBytes);
        lock (_tailLock)
        {
            if (_tailSealed || _disposed || _writeBuffer is not null)
            {
                return false;
            }

            // Appends past the prepared end happen under this lock, so the size read here is final
            // for every byte at or past the start.
            long start = Math.Max(_preparedEndBytes, _sizeBytes);
            long end = Math.Min((long)_sizeBytes + stepBytes, limitBytes);
            if (end <= start)
            {
                return false;
            }

            for (long position = start; position < end; position += s_zeros.Length)
            {
                int length = (int)Math.Min(s_zeros.Length, end - position);
                RandomAccess.Write(_log, s_zeros.AsSpan(0, length), position);
            }

            Volatile.Write(ref _preparedEndBytes, end);
        }

        // Outside the lock: appends continue while the zeros (and their allocation) reach the disk.
        Sync();
        return true;
    }

    /// <summary>
    /// Cuts the prepared zeros off and stops further preparation: on roll and on clean close, so a
    /// segment that is no longer appended to holds only batches. The size change reaches the disk
    /// with the segment's next sync.
    /// </summary>
    public void TrimPreparedTail()
    {
        lock (_tailLock)
        {
            _tailSealed = true;
            if (_disposed)
            {
                return;
            }

            int size = _sizeBytes;
            if (_writeBuffer is { } buffer)
            {
                buffer.WriteAll(this, size);
                NoteDirectWriteEnd();
            }

            if (_preparedEndBytes > size)
            {
                RandomAccess.SetLength(_log, size);
            }

            _preparedEndBytes = size;
        }
    }

    private void WritePastPreparedTail(ReadOnlySpan<byte> batch, int position, long endBytes)
    {
        lock (_tailLock)
        {
            RandomAccess.Write(_log, batch, position);
            if (endBytes > _preparedEndBytes)
            {
                Volatile.Write(ref _preparedEndBytes, endBytes);
            }
        }
    }
}
