using System.Buffers;
using System.Buffers.Binary;
using FastLog.Engine.Segments;
using FastLog.Format;
using FastLog.Protocol;

namespace FastLog.Server.Network;

/// <summary>
/// One response frame: the 4-byte size prefix, header and body as pooled bytes, with record data
/// of fetch responses spliced in as <see cref="FileSlice"/>s at recorded positions. The socket
/// layer writes the byte runs and sends each large slice from its file with <c>sendfile(2)</c>, so
/// those record bytes never pass through user space on their way out; small slices are cheaper
/// copied into the byte runs (see <c>KafkaConnection.WriteResponseAsync</c>).
/// </summary>
public sealed class KafkaResponse : IDisposable
{
    private const int SizePrefixBytes = 4;
    private readonly PooledBufferWriter _bytes;
    private readonly List<(int Position, FileSlice Slice)> _fileSlices = [];
    private long _fileBytes;

    public KafkaResponse(int initialCapacityBytes = 256)
        : this(initialCapacityBytes, reservePrefix: true)
    {
    }

    private KafkaResponse(int initialCapacityBytes, bool reservePrefix)
    {
        _bytes = new PooledBufferWriter(Math.Max(SizePrefixBytes, initialCapacityBytes));
        if (reservePrefix)
        {
            _bytes.GetSpan(SizePrefixBytes)[..SizePrefixBytes].Clear();
            _bytes.Advance(SizePrefixBytes);
        }
    }

    /// <summary>
    /// A whole response frame for <paramref name="body"/>: records that are <see cref="KafkaRecords.External"/>
    /// with a <see cref="FileSlice"/> source are left out of the bytes and sent from their file.
    /// </summary>
    public static KafkaResponse ForMessage(int correlationId, short apiVersion, IKafkaMessage body)
    {
        var response = new KafkaResponse(256, reservePrefix: false);
        var slots = new List<ExternalRecordsSlot>();
        KafkaFrame.WriteResponse(response._bytes, correlationId, apiVersion, body, slots);
        foreach (var slot in slots)
        {
            if (slot.Records.ExternalSource is not FileSlice slice || slice.LengthBytes != slot.Records.LengthBytes)
            {
                response.Dispose();
                throw new InvalidOperationException("external records must be file slices of their stated length");
            }

            response.AddFileSlice(slot.OutputOffset, slice);
        }

        return response;
    }

    /// <summary>Where the header and body go, after the size prefix.</summary>
    public IBufferWriter<byte> Writer => _bytes;

    /// <summary>The frame's size as its prefix states it (everything after the prefix, file slices included).</summary>
    public long FrameSizeBytes => _bytes.WrittenCount - SizePrefixBytes + _fileBytes;

    internal IReadOnlyList<(int Position, FileSlice Slice)> FileSlices => _fileSlices;

    /// <summary>Appends file bytes at the current position: the caller has already written their length prefix.</summary>
    public void AppendFileSlice(FileSlice slice)
    {
        if (slice.IsEmpty)
        {
            return;
        }

        AddFileSlice(_bytes.WrittenCount, slice);
    }

    /// <summary>The bytes with the size prefix filled in; valid until <see cref="Dispose"/>.</summary>
    internal ReadOnlyMemory<byte> SealBytes()
    {
        long size = FrameSizeBytes;
        if (size > int.MaxValue)
        {
            throw new InvalidOperationException($"response of {size} bytes is larger than a frame can be");
        }

        var memory = _bytes.WrittenMemory;
        BinaryPrimitives.WriteInt32BigEndian(System.Runtime.InteropServices.MemoryMarshal.AsMemory(memory).Span, (int)size);
        return memory;
    }

    public void Dispose()
    {
        foreach (var (_, slice) in _fileSlices)
        {
            slice.Handle.DangerousRelease();
        }

        _fileSlices.Clear();
        _bytes.Dispose();
    }

    /// <summary>
    /// Records a slice and holds a reference on its file handle until the response is disposed: a
    /// segment deleted meanwhile (retention, DeleteTopics) keeps its descriptor open, so the bytes
    /// still go out and the descriptor number cannot be reused for another file under us.
    /// </summary>
    private void AddFileSlice(int position, FileSlice slice)
    {
        bool added = false;
        try
        {
            slice.Handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException e)
        {
            throw new IOException("the segment was closed before its bytes could be sent", e);
        }

        _fileSlices.Add((position, slice));
        _fileBytes += slice.LengthBytes;
    }
}
