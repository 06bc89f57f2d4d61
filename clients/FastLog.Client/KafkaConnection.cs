using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client;

/// <summary>
/// One TCP connection to one broker. Requests are pipelined: any number may be in flight, each gets the
/// next correlation id, and responses (which a broker sends in request order) are matched back by it.
/// ApiVersions is negotiated when connecting, so <see cref="PickVersion(ApiKey, short, short)"/> knows the broker's ranges.
/// Thread-safe.
/// </summary>
public sealed class KafkaConnection : IAsyncDisposable
{
    /// <summary>The software name sent in ApiVersions v3+ (KIP-511).</summary>
    public const string ClientSoftwareName = "fastlog-dotnet";

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly KafkaConnectionOptions _options;
    private const int WriteBatchBytes = 256 * 1024;

    private readonly Channel<PendingRequest> _requests = Channel.CreateUnbounded<PendingRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentQueue<PendingRequest> _inFlight = new();
    private readonly CancellationTokenSource _lifetime = new();
    private Dictionary<ApiKey, ApiVersionRange> _brokerVersions = [];
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private int _nextCorrelationId;
    private int _disposed;
    private Exception? _failure;

    private KafkaConnection(Socket socket, string host, int port, KafkaConnectionOptions options)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _options = options;
        Host = host;
        Port = port;
    }

    /// <summary>The host this connection was opened to.</summary>
    public string Host { get; }

    /// <summary>The port this connection was opened to.</summary>
    public int Port { get; }

    /// <summary>The version ranges the broker advertised in its ApiVersions response, by API.</summary>
    public IReadOnlyDictionary<ApiKey, ApiVersionRange> BrokerApiVersions => _brokerVersions;

    /// <summary>The ApiVersions request version the broker accepted (3 normally, 0 after a fallback).</summary>
    public short ApiVersionsVersion { get; private set; }

    /// <summary>False once the connection failed or was disposed; a new one must be opened then.</summary>
    public bool IsConnected => Volatile.Read(ref _failure) is null;

    /// <summary>
    /// Opens a connection and negotiates API versions (ApiVersions v3, or v0 if the broker rejects v3).
    /// </summary>
    /// <exception cref="KafkaException">
    /// The broker is unreachable or did not answer in time (<see cref="ErrorCode.NetworkException"/>,
    /// <see cref="ErrorCode.RequestTimedOut"/>), or rejected the negotiation.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<KafkaConnection> ConnectAsync(
        string host,
        int port,
        KafkaConnectionOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        options ??= new KafkaConnectionOptions();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new KafkaException(
                        ErrorCode.NetworkException,
                        $"Connecting to {host}:{port} timed out after {options.ConnectTimeout.TotalMilliseconds:0} ms.");
                }
                catch (SocketException e)
                {
                    throw new KafkaException(ErrorCode.NetworkException, $"Could not connect to {host}:{port}: {e.Message}", e);
                }
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new KafkaConnection(socket, host, port, options);
        try
        {
            connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            connection._writeLoop = Task.Run(connection.WriteLoopAsync, CancellationToken.None);
            await connection.NegotiateApiVersionsAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The highest version both this client (<paramref name="clientMin"/>..<paramref name="clientMax"/>) and the
    /// broker support for <paramref name="apiKey"/>.
    /// </summary>
    /// <exception cref="KafkaException">No common version (<see cref="ErrorCode.UnsupportedVersion"/>).</exception>
    public short PickVersion(ApiKey apiKey, short clientMin, short clientMax)
    {
        if (!_brokerVersions.TryGetValue(apiKey, out ApiVersionRange broker))
        {
            throw new KafkaException(ErrorCode.UnsupportedVersion, $"Broker {Host}:{Port} does not support {apiKey}.");
        }

        short high = Math.Min(clientMax, broker.MaxVersion);
        short low = Math.Max(clientMin, broker.MinVersion);
        if (high < low)
        {
            throw new KafkaException(
                ErrorCode.UnsupportedVersion,
                $"No common {apiKey} version: client supports {clientMin}-{clientMax}, broker {Host}:{Port} supports {broker.MinVersion}-{broker.MaxVersion}.");
        }

        return high;
    }

    /// <summary>The highest version of <paramref name="apiKey"/> both the broker and the protocol codecs support.</summary>
    /// <exception cref="KafkaException">No common version (<see cref="ErrorCode.UnsupportedVersion"/>).</exception>
    public short PickVersion(ApiKey apiKey)
    {
        if (!ApiVersionTable.TryGet(apiKey, out ApiVersionRange client))
        {
            throw new KafkaException(ErrorCode.UnsupportedVersion, $"The client has no codec for {apiKey}.");
        }

        return PickVersion(apiKey, client.MinVersion, client.MaxVersion);
    }

    /// <summary>
    /// Sends <paramref name="request"/> at <paramref name="version"/> and waits for its response. Other requests may
    /// be sent while this one is in flight. Error codes inside the response body are left to the caller.
    /// </summary>
    /// <exception cref="KafkaException">
    /// The connection failed (<see cref="ErrorCode.NetworkException"/>), no response came within the request
    /// timeout (<see cref="ErrorCode.RequestTimedOut"/>), or the response could not be read.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TResponse> SendAsync<TResponse>(IKafkaMessage request, short version, CancellationToken cancellationToken = default)
        where TResponse : class, IKafkaResponse
    {
        IKafkaMessage response = await SendCoreAsync(NewPending(request, version, PendingKind.Normal), cancellationToken).ConfigureAwait(false);
        return response as TResponse ?? throw new KafkaException(
            ErrorCode.UnknownServerError,
            $"{request.ApiKey} request answered with {response.GetType().Name}, not {typeof(TResponse).Name}.");
    }

    /// <summary>
    /// Sends <paramref name="request"/> and waits for its response, parsing the response over the received frame
    /// itself instead of a copy: record bytes in the response (<see cref="KafkaRecords.Bytes"/>) alias the frame, which
    /// stays rented until the returned lease is disposed. This is how fetched records reach consumers without a copy.
    /// </summary>
    /// <exception cref="KafkaException">As for <see cref="SendAsync{TResponse}"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<ResponseLease<TResponse>> SendLeasedAsync<TResponse>(IKafkaMessage request, short version, CancellationToken cancellationToken = default)
        where TResponse : class, IKafkaResponse
    {
        var pending = NewPending(request, version, PendingKind.Leased);
        IKafkaMessage response = await SendCoreAsync(pending, cancellationToken).ConfigureAwait(false);
        byte[]? frame = pending.Frame;
        pending.Frame = null;
        if (response is TResponse typed && frame is not null)
        {
            return new ResponseLease<TResponse>(typed, frame);
        }

        if (frame is not null)
        {
            ArrayPool<byte>.Shared.Return(frame);
        }

        throw new KafkaException(
            ErrorCode.UnknownServerError,
            $"{request.ApiKey} request answered with {response.GetType().Name}, not {typeof(TResponse).Name}.");
    }

    /// <summary>
    /// Sends a request the broker does not answer (a Produce with <c>acks=0</c>): the task completes once the
    /// request's bytes have been handed to the socket.
    /// </summary>
    /// <exception cref="KafkaException">The connection failed before the request was written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the request was written.</exception>
    public async Task SendWithoutResponseAsync(IKafkaMessage request, short version, CancellationToken cancellationToken = default)
    {
        var pending = NewPending(request, version, PendingKind.NoResponse);
        await SendCoreAsync(pending, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Requests written or queued but not yet answered.</summary>
    public int InFlightCount => _inFlight.Count;

    /// <summary>Closes the connection; requests still in flight fail with <see cref="ErrorCode.NetworkException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Shutdown(new KafkaException(ErrorCode.NetworkException, $"Connection to {Host}:{Port} was closed."));
        await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            _lifetime.Dispose();
        }
    }

    private async Task<IKafkaMessage> SendCoreAsync(PendingRequest pending, CancellationToken cancellationToken)
    {
        IKafkaMessage request = pending.Request;
        short version = pending.Version;
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFailed();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        await using (timeout.Token.Register(static state => ((PendingRequest)state!).Completion.TrySetCanceled(), pending).ConfigureAwait(false))
        {
            if (!_requests.Writer.TryWrite(pending))
            {
                ThrowIfFailed();
                throw new KafkaException(ErrorCode.NetworkException, $"Connection to {Host}:{Port} is closed.");
            }

            try
            {
                return await pending.Completion.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new KafkaException(
                    ErrorCode.RequestTimedOut,
                    $"{request.ApiKey} v{version} to {Host}:{Port} got no response within {_options.RequestTimeout.TotalMilliseconds:0} ms.");
            }
        }
    }

    /// <summary>
    /// The only writer: assigns correlation ids in wire order, queues each request for the read loop before its
    /// bytes leave, and writes everything waiting in one go. A request is never cut off part-way (that would
    /// desynchronise the stream); one cancelled before it was written is skipped, one cancelled after has its
    /// response read and dropped.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var unanswered = new List<PendingRequest>();
        ChannelReader<PendingRequest> requests = _requests.Reader;
        try
        {
            while (await requests.WaitToReadAsync(_lifetime.Token).ConfigureAwait(false))
            {
                buffer.ResetWrittenCount();
                while (buffer.WrittenCount < WriteBatchBytes && requests.TryRead(out PendingRequest? pending))
                {
                    if (pending.Completion.Task.IsCompleted)
                    {
                        continue;
                    }

                    var header = new RequestHeader
                    {
                        ApiVersion = pending.Version,
                        CorrelationId = _nextCorrelationId++,
                        ClientId = _options.ClientId,
                    };
                    pending.CorrelationId = header.CorrelationId;
                    try
                    {
                        KafkaFrame.WriteRequest(buffer, header, pending.Request);
                    }
                    catch (ProtocolException e)
                    {
                        pending.Completion.TrySetException(new KafkaException(
                            ErrorCode.InvalidRequest, $"Could not encode {pending.Request.ApiKey} v{pending.Version}: {e.Message}", e));
                        continue;
                    }

                    if (pending.Kind == PendingKind.NoResponse)
                    {
                        unanswered.Add(pending);
                    }
                    else
                    {
                        _inFlight.Enqueue(pending);
                    }
                }

                if (Volatile.Read(ref _failure) is not null)
                {
                    break;
                }

                if (buffer.WrittenCount > 0)
                {
                    await _stream.WriteAsync(buffer.WrittenMemory, _lifetime.Token).ConfigureAwait(false);
                }

                foreach (PendingRequest written in unanswered)
                {
                    written.Completion.TrySetResult(written.Request);
                }

                unanswered.Clear();
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Shut down.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Shutdown(new KafkaException(ErrorCode.NetworkException, $"Sending to {Host}:{Port} failed: {e.Message}", e));
        }

        // Whatever is still queued or in flight will never be answered.
        Exception failure = Volatile.Read(ref _failure)!;
        while (requests.TryRead(out PendingRequest? unsent))
        {
            unsent.Completion.TrySetException(NetworkFailure(failure));
        }

        foreach (PendingRequest notWritten in unanswered)
        {
            notWritten.Completion.TrySetException(NetworkFailure(failure));
        }

        FailAllInFlight();
    }

    private async Task ReadLoopAsync()
    {
        byte[] prefix = new byte[KafkaFrame.SizePrefixBytes];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(prefix, _lifetime.Token).ConfigureAwait(false);
                KafkaFrame.TryReadFrameLength(prefix, _options.MaxResponseBytes, out int length);
                byte[]? frame = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    await _stream.ReadExactlyAsync(frame.AsMemory(0, length), _lifetime.Token).ConfigureAwait(false);
                    if (!_inFlight.TryDequeue(out PendingRequest? pending))
                    {
                        throw new KafkaException(ErrorCode.NetworkException, $"{Host}:{Port} sent a response to no request.");
                    }

                    if (pending.Kind == PendingKind.Leased)
                    {
                        // The frame's ownership moves to the caller's lease when the response is parsed over it.
                        if (Complete(pending, frame.AsMemory(0, length)))
                        {
                            frame = null;
                        }
                    }
                    else
                    {
                        Complete(pending, frame.AsMemory(0, length));
                    }
                }
                finally
                {
                    if (frame is not null)
                    {
                        ArrayPool<byte>.Shared.Return(frame);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // Shut down.
        }
        catch (Exception e)
        {
            Shutdown(e is KafkaException { Error: ErrorCode.NetworkException } known
                ? known
                : new KafkaException(ErrorCode.NetworkException, $"Connection to {Host}:{Port} failed: {e.Message}", e));
        }

        FailAllInFlight();
    }

    /// <summary>Parses and completes one response; true when a leased request now owns the frame.</summary>
    private bool Complete(PendingRequest pending, ReadOnlyMemory<byte> frameMemory)
    {
        ReadOnlySpan<byte> frame = frameMemory.Span;
        bool leased = pending.Kind == PendingKind.Leased;
        var reader = leased ? new KafkaReader(frameMemory) : new KafkaReader(frame);
        ResponseHeader header;
        try
        {
            header = ResponseHeader.Read(ref reader, ApiHeaderVersions.Response(pending.ApiKey, pending.Version));
        }
        catch (ProtocolException e)
        {
            var failure = new KafkaException(ErrorCode.NetworkException, $"Unreadable response header from {Host}:{Port}: {e.Message}", e);
            pending.Completion.TrySetException(failure);
            throw failure;
        }

        if (header.CorrelationId != pending.CorrelationId)
        {
            // Responses come in request order; anything else means the stream is out of step.
            var failure = new KafkaException(
                ErrorCode.NetworkException,
                $"{Host}:{Port} answered correlation id {header.CorrelationId} where {pending.CorrelationId} was expected.");
            pending.Completion.TrySetException(failure);
            throw failure;
        }

        try
        {
            short version = pending.Version;
            if (pending.ApiKey == ApiKey.ApiVersions && reader.RemainingBytes >= 2
                && (ErrorCode)BinaryPrimitives.ReadInt16BigEndian(frame[reader.Position..]) == ErrorCode.UnsupportedVersion)
            {
                // A broker answers an ApiVersions version it does not know with a v0 body (KIP-511).
                version = 0;
            }

            IKafkaMessage body = KafkaApis.ReadResponse(pending.ApiKey, version, ref reader);
            if (leased)
            {
                if (!MemoryMarshal.TryGetArray(frameMemory, out ArraySegment<byte> segment) || segment.Array is null)
                {
                    throw new InvalidOperationException("Response frames are arrays.");
                }

                pending.Frame = segment.Array;
                if (!pending.Completion.TrySetResult(body))
                {
                    // Cancelled or timed out meanwhile: nobody will dispose a lease, so the frame goes back now.
                    pending.Frame = null;
                    return false;
                }

                return true;
            }

            pending.Completion.TrySetResult(body);
        }
        catch (ProtocolException e)
        {
            // The frame boundary is known, so only this request is lost; the connection stays usable.
            pending.Completion.TrySetException(new KafkaException(
                ErrorCode.CorruptMessage,
                $"Could not read the {pending.ApiKey} v{pending.Version} response from {Host}:{Port}: {e.Message}",
                e));
        }

        return false;
    }

    private async Task NegotiateApiVersionsAsync(CancellationToken cancellationToken)
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = ClientSoftwareName, ClientSoftwareVersion = SoftwareVersion() };
        short version = 3;
        var response = await SendAsync<ApiVersionsResponse>(request, version, cancellationToken).ConfigureAwait(false);
        if ((ErrorCode)response.ErrorCode == ErrorCode.UnsupportedVersion)
        {
            version = 0;
            response = await SendAsync<ApiVersionsResponse>(request, version, cancellationToken).ConfigureAwait(false);
        }

        if (response.ErrorCode != 0)
        {
            var error = (ErrorCode)response.ErrorCode;
            throw new KafkaException(error, $"ApiVersions v{version} to {Host}:{Port} failed with {error}.");
        }

        var ranges = new Dictionary<ApiKey, ApiVersionRange>(response.ApiKeys.Count);
        foreach (ApiVersionsResponse.ApiVersion entry in response.ApiKeys)
        {
            var key = (ApiKey)entry.ApiKey;
            short firstFlexible = ApiVersionTable.TryGet(key, out ApiVersionRange codec) ? codec.FirstFlexibleVersion : (short)-1;
            ranges[key] = new ApiVersionRange(key, entry.MinVersion, entry.MaxVersion, firstFlexible);
        }

        _brokerVersions = ranges;
        ApiVersionsVersion = version;
    }

    private static string SoftwareVersion()
    {
        // KIP-511 allows [a-zA-Z0-9] with '-' and '.' inside; drop any "+build" suffix.
        string version = typeof(KafkaConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(KafkaConnection).Assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 ? version[..plus] : version;
    }

    private void ThrowIfFailed()
    {
        Exception? failure = Volatile.Read(ref _failure);
        if (failure is not null)
        {
            throw NetworkFailure(failure);
        }
    }

    private static KafkaException NetworkFailure(Exception failure) =>
        new(ErrorCode.NetworkException, failure.Message, failure);

    /// <summary>First failure wins: records it, stops accepting requests and ends both loops.</summary>
    private void Shutdown(Exception failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is not null)
        {
            return;
        }

        _requests.Writer.TryComplete();
        _lifetime.Cancel();
        _socket.Close();
    }

    private void FailAllInFlight()
    {
        Exception failure = Volatile.Read(ref _failure)!;
        while (_inFlight.TryDequeue(out PendingRequest? pending))
        {
            pending.Completion.TrySetException(NetworkFailure(failure));
        }
    }

    private enum PendingKind : byte
    {
        Normal,
        Leased,
        NoResponse,
    }

    private static PendingRequest NewPending(IKafkaMessage request, short version, PendingKind kind)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.IsRequest)
        {
            throw new ArgumentException($"{request.GetType().Name} is not a request.", nameof(request));
        }

        if (!ApiVersionTable.IsSupported(request.ApiKey, version))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, $"The protocol codecs cannot write {request.ApiKey} v{version}.");
        }

        return new PendingRequest(request, version, kind);
    }

    private sealed class PendingRequest(IKafkaMessage request, short version, PendingKind kind)
    {
        public IKafkaMessage Request { get; } = request;

        public PendingKind Kind { get; } = kind;

        /// <summary>The rented frame a leased response was parsed over, until the lease takes it.</summary>
        public byte[]? Frame { get; set; }

        public ApiKey ApiKey => Request.ApiKey;

        public short Version { get; } = version;

        public int CorrelationId { get; set; }

        public TaskCompletionSource<IKafkaMessage> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
