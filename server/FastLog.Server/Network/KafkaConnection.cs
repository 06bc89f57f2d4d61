using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using FastLog.Engine.Segments;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Network;

/// <summary>
/// One client connection: a receive loop that cuts size-prefixed frames out of a pipe and hands
/// them to the <see cref="IRequestProcessor"/> in order, and a send loop that writes the answers in
/// the same order as their tasks complete-in-order.
/// </summary>
/// <remarks>
/// Pipelining: the receive loop does not wait for an answer before processing the next frame, so an
/// acks=all produce waiting for its fsync does not stall the requests behind it; at most
/// <see cref="NetworkOptions.MaxInFlightRequestsPerConnection"/> are outstanding, after which the
/// loop stops reading (TCP back-pressure). Bounds: a size prefix above socket.request.max.bytes, or
/// negative, closes the connection before any allocation (Kafka does the same); so does a request
/// the processor refuses. Idle connections close after connections.max.idle.ms.
/// </remarks>
internal sealed class KafkaConnection : IDisposable
{
    private const int SizePrefixBytes = 4;

    /// <summary>Bytes copied through user space per round when sendfile finds the socket full: one pipe buffer's worth.</summary>
    private const int FallbackCopyBytes = 64 * 1024;

    /// <summary>File slices up to this size are copied into the response instead of sent with sendfile (see <see cref="WriteResponseAsync"/>).</summary>
    private const int CopySliceMaxBytes = 32 * 1024;

    private readonly Socket _socket;
    private readonly NetworkOptions _options;
    private readonly IRequestProcessor _processor;
    private readonly ILogger _logger;
    private readonly ConnectionContext _context;
    private readonly CancellationTokenSource _closed = new();
    private readonly Channel<PendingResponse> _responses = Channel.CreateUnbounded<PendingResponse>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _inFlight;
    private readonly NetworkStream _stream;
    private readonly NetworkCounters _counters;

    public KafkaConnection(long id, Socket socket, NetworkOptions options, IRequestProcessor processor, ILogger logger, NetworkCounters counters)
    {
        _counters = counters;
        _socket = socket;
        _options = options;
        _processor = processor;
        _logger = logger;
        _inFlight = new SemaphoreSlim(options.MaxInFlightRequestsPerConnection, options.MaxInFlightRequestsPerConnection);
        _stream = new NetworkStream(socket, ownsSocket: false);
        _context = new ConnectionContext(id, socket.RemoteEndPoint, socket.LocalEndPoint) { Closed = _closed.Token };
    }

    public ConnectionContext Context => _context;

    /// <summary>Runs both loops until the client disconnects, a limit is hit, or <paramref name="shutdown"/> fires; then closes the socket.</summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        var link = shutdown.Register(static state => ((CancellationTokenSource)state!).Cancel(), _closed);
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        var writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        var sending = SendLoopAsync(writer);
        try
        {
            await ReceiveLoopAsync(reader);
        }
        finally
        {
            _responses.Writer.TryComplete();
            bool sendFailed = false;
            try
            {
                // Answer what was already accepted (e.g. on a clean shutdown) unless the connection is gone.
                await sending;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                sendFailed = true;
                NetworkLog.SendFailed(_logger, _context, e.Message);
            }

            await _closed.CancelAsync();
            await reader.CompleteAsync();
            try
            {
                // Completing flushes what the send loop left buffered: it fails again when the peer is gone.
                await writer.CompleteAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                if (!sendFailed)
                {
                    NetworkLog.SendFailed(_logger, _context, e.Message);
                }
            }

            await link.DisposeAsync();
            Dispose();
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _stream.Dispose();
        _closed.Dispose();
        _inFlight.Dispose();
    }

    private async Task ReceiveLoopAsync(PipeReader reader)
    {
        using var idle = new CancellationTokenSource();
        using var idleOrClosed = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, _closed.Token);
        var idleTimeout = TimeSpan.FromMilliseconds(_options.ConnectionsMaxIdleMs);
        while (true)
        {
            ReadResult result;
            try
            {
                // Rescheduling the same timer per read: no allocation per request.
                idle.CancelAfter(idleTimeout);
                result = await reader.ReadAsync(idleOrClosed.Token);
            }
            catch (OperationCanceledException)
            {
                if (idle.IsCancellationRequested)
                {
                    NetworkLog.IdleClosed(_logger, _context, _options.ConnectionsMaxIdleMs);
                }

                return;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var buffer = result.Buffer;
            try
            {
                bool malformed;
                while (TryCutFrame(ref buffer, out var frame, out malformed))
                {
                    if (!await ProcessFrameAsync(frame))
                    {
                        return;
                    }
                }

                if (malformed)
                {
                    return;
                }
            }
            finally
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Cuts one frame off the front of <paramref name="buffer"/>; false when incomplete or malformed (then <paramref name="malformed"/> says which).</summary>
    private bool TryCutFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out bool malformed)
    {
        frame = default;
        malformed = false;
        if (buffer.Length < SizePrefixBytes)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[SizePrefixBytes];
        buffer.Slice(0, SizePrefixBytes).CopyTo(prefix);
        int size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < 0 || size > _options.SocketRequestMaxBytes)
        {
            NetworkLog.FrameTooLarge(_logger, _context, size, _options.SocketRequestMaxBytes);
            malformed = true;
            return false;
        }

        if (buffer.Length - SizePrefixBytes < size)
        {
            return false;
        }

        frame = buffer.Slice(SizePrefixBytes, size);
        buffer = buffer.Slice(frame.End);
        _counters.AddReceived(SizePrefixBytes + size);
        return true;
    }

    /// <summary>Processes a frame and queues its answer; false when the connection must close.</summary>
    private async ValueTask<bool> ProcessFrameAsync(ReadOnlySequence<byte> frame)
    {
        // Waiting here keeps the frame's bytes pinned in the pipe, which is the point: no more reading.
        if (!_inFlight.Wait(0))
        {
            try
            {
                await _inFlight.WaitAsync(_closed.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        ValueTask<KafkaResponse?> pending;
        try
        {
            pending = _processor.ProcessAsync(_context, frame);
        }
        catch (ConnectionClosingException e)
        {
            NetworkLog.RequestRefused(_logger, _context, e.Message);
            _inFlight.Release();
            return false;
        }
        catch (Exception e)
        {
            NetworkLog.ProcessorFailed(_logger, _context, e);
            _inFlight.Release();
            return false;
        }

        return _responses.Writer.TryWrite(new PendingResponse(pending));
    }

    private async Task SendLoopAsync(PipeWriter writer)
    {
        var reader = _responses.Reader;
        while (await reader.WaitToReadAsync())
        {
            bool unflushed = false;
            while (reader.TryRead(out var pending))
            {
                // Answers already written go out before waiting for one that is not ready (an acks=all
                // produce waiting for its fsync): under a steady pipelined load the queue is never empty,
                // and holding them until it is would delay every answer by the slowest wait behind it.
                if (unflushed && !pending.Task.IsCompleted)
                {
                    await writer.FlushAsync();
                    unflushed = false;
                }

                KafkaResponse? response;
                try
                {
                    response = await pending.Task;
                }
                catch (ConnectionClosingException e)
                {
                    NetworkLog.RequestRefused(_logger, _context, e.Message);
                    await _closed.CancelAsync();
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    NetworkLog.ProcessorFailed(_logger, _context, e);
                    await _closed.CancelAsync();
                    return;
                }
                finally
                {
                    _inFlight.Release();
                }

                if (response is null)
                {
                    continue;
                }

                using (response)
                {
                    await WriteResponseAsync(writer, response);
                    _counters.AddSent(SizePrefixBytes + response.FrameSizeBytes);
                }

                unflushed = true;
            }

            // One flush for every answer that was ready: pipelined small answers share a send.
            if (unflushed)
            {
                await writer.FlushAsync();
            }
        }
    }

    /// <summary>
    /// Writes one response: its bytes through the pipe, its file slices with sendfile, except slices
    /// of at most <see cref="CopySliceMaxBytes"/>, which are read into the pipe's buffer instead, as is
    /// the part of a slice that a segment's write buffer still holds (the page cache does not have it).
    /// </summary>
    /// <remarks>
    /// A fetch from consumers that keep up returns a few KiB from each of many partitions. Sent with
    /// sendfile, each slice costs a flush of the bytes before it and a sendfile call, and on loopback
    /// each of those sends wakes the receiver: 16 partitions made 33 sends of one response. Copying a
    /// small slice once costs less than the calls it saves, and the response leaves in one send.
    /// </remarks>
    private async ValueTask WriteResponseAsync(PipeWriter writer, KafkaResponse response)
    {
        var bytes = response.SealBytes();
        int position = 0;
        foreach (var (at, slice) in response.FileSlices)
        {
            writer.Write(bytes.Span[position..at]);
            position = at;
            if (slice.LengthBytes <= CopySliceMaxBytes)
            {
                CopySlice(writer, slice);
                continue;
            }

            // A segment's write buffer may hold the end of the slice: that part is copied from memory.
            int fileBytes = slice.Source is { } segment ? segment.LeadingFileOnlyBytes(slice.PositionBytes, slice.LengthBytes) : slice.LengthBytes;
            if (fileBytes > 0)
            {
                await writer.FlushAsync();
                await SendFileAsync(slice with { LengthBytes = fileBytes, Source = null });
            }

            if (fileBytes < slice.LengthBytes)
            {
                CopySlice(writer, slice with { PositionBytes = slice.PositionBytes + fileBytes, LengthBytes = slice.LengthBytes - fileBytes });
            }
        }

        writer.Write(bytes.Span[position..]);
    }

    /// <summary>Copies a slice into the pipe in pieces of at most <see cref="FallbackCopyBytes"/>, so a large one never needs one large buffer.</summary>
    private static void CopySlice(PipeWriter writer, FileSlice slice)
    {
        long position = slice.PositionBytes;
        int remaining = slice.LengthBytes;
        while (remaining > 0)
        {
            int chunk = Math.Min(remaining, FallbackCopyBytes);
            var destination = writer.GetSpan(chunk)[..chunk];
            if ((slice with { PositionBytes = position, LengthBytes = chunk }).CopyTo(destination) != chunk)
            {
                throw new IOException($"segment file ended while copying {slice.LengthBytes} bytes at {slice.PositionBytes}");
            }

            writer.Advance(chunk);
            position += chunk;
            remaining -= chunk;
        }
    }

    /// <summary>
    /// Sends a file slice with sendfile while the socket takes it; when the socket buffer is full,
    /// copies one chunk through user space with an awaited send (which waits for room without
    /// blocking a thread) and goes back to sendfile for the rest.
    /// </summary>
    private async ValueTask SendFileAsync(FileSlice slice)
    {
        long position = slice.PositionBytes;
        long end = slice.PositionBytes + slice.LengthBytes;
        byte[]? copy = null;
        try
        {
            while (position < end)
            {
                int remaining = (int)(end - position);
                if (SocketSendFile.IsSupported)
                {
                    int sent = SocketSendFile.TrySend(_socket, slice.Handle, position, remaining);
                    if (sent > 0)
                    {
                        position += sent;
                        continue;
                    }
                }

                copy ??= ArrayPool<byte>.Shared.Rent(FallbackCopyBytes);
                int chunk = Math.Min(remaining, copy.Length);
                int read = RandomAccess.Read(slice.Handle, copy.AsSpan(0, chunk), position);
                if (read <= 0)
                {
                    throw new IOException($"segment file ended while sending {remaining} more bytes");
                }

                await _socket.SendAsync(copy.AsMemory(0, read), SocketFlags.None, _closed.Token);
                position += read;
            }
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
    }

    private readonly record struct PendingResponse(ValueTask<KafkaResponse?> Task);
}
