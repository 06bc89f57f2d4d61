using FastLog.Engine.Segments;

namespace FastLog.Engine.Log;

/// <summary>
/// Direct writes (log.direct.write.buffer.bytes): the partition's one <see cref="SegmentWriteBuffer"/>
/// serves its active segment, and each roll hands it to the next one (see <see cref="Roll"/>).
/// </summary>
public sealed partial class PartitionLog
{
    /// <summary>Whether the active segment is written from the partition's write buffer (false where direct I/O is refused).</summary>
    public bool WritesDirect => Volatile.Read(ref _segments)[^1].HasWriteBuffer;

    /// <summary>At open: the active segment takes the buffer, unless its file system refuses direct I/O (then appends use the page cache).</summary>
    private void StartDirectWrites(SegmentWriteBuffer buffer)
    {
        lock (_appendLock)
        {
            _segments[^1].AttachWriteBuffer(buffer);
        }
    }
}
