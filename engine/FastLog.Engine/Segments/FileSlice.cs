using Microsoft.Win32.SafeHandles;

namespace FastLog.Engine.Segments;

/// <summary>
/// A byte range of a segment file, ready to be sent to a socket without copying through user space
/// (<c>sendfile(2)</c>) or copied with <see cref="CopyTo"/>. The range holds whole record batches
/// except possibly a truncated last one (as Kafka's fetch does: clients drop a partial tail batch).
/// The handle stays valid for at least file.delete.delay.ms after its segment is deleted.
/// </summary>
public readonly record struct FileSlice(SafeFileHandle Handle, long PositionBytes, int LengthBytes)
{
    public static FileSlice Empty => default;

    public bool IsEmpty => LengthBytes == 0;

    /// <summary>
    /// Set when the bytes may still be only in the segment's write buffer: they must then be copied
    /// (<see cref="CopyTo"/> reads through the segment), not sent from the file.
    /// </summary>
    public LogSegment? Source { get; init; }

    /// <summary>Copies the slice into <paramref name="destination"/>; returns the bytes copied.</summary>
    public int CopyTo(Span<byte> destination)
    {
        if (LengthBytes == 0)
        {
            return 0;
        }

        int wanted = Math.Min(destination.Length, LengthBytes);
        if (Source is { } segment)
        {
            return segment.ReadAt(destination[..wanted], PositionBytes);
        }

        int total = 0;
        while (total < wanted)
        {
            int read = RandomAccess.Read(Handle, destination[total..wanted], PositionBytes + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    /// <summary>Copies the slice into a new array (tests and slow paths).</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[LengthBytes];
        int copied = CopyTo(bytes);
        return copied == bytes.Length ? bytes : bytes[..copied];
    }
}
