using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastLog.Server.Network;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Metrics;

/// <summary>
/// A deliberately small HTTP/1.1 server for the broker's operational endpoints: GET of a few fixed
/// paths (<c>/metrics</c>, <c>/health</c>), one request per connection, answered and closed.
/// </summary>
/// <remarks>
/// <para>Why not HttpListener or Kestrel: HttpListener cannot bind port 0, which the embedded broker
/// and its tests need, and Kestrel would pull all of ASP.NET Core into an embeddable library for two
/// fixed routes. Scrapers (Prometheus, load-balancer health checks, curl) send a request line and a
/// few headers and accept <c>Connection: close</c>, so that is all this speaks.</para>
/// <para>Limits: a request head above <see cref="MaxRequestHeadBytes"/> gets 431; one not complete
/// within <see cref="RequestHeadTimeout"/> is dropped; at most <see cref="MaxConcurrentRequests"/> are
/// answered at once (further connections wait in the accept backlog). A request body, if any, is
/// ignored. Methods other than GET get 405, unknown paths 404; the query string is ignored.</para>
/// <para>Routes are evaluated per request on a thread-pool thread; an exception answers 500 and is
/// logged. <see cref="StopAsync"/> stops accepting and waits for requests being answered.</para>
/// </remarks>
internal sealed class MetricsHttpServer : IAsyncDisposable
{
    /// <summary>A scrape's request head is a few hundred bytes; 8 KiB is what common servers allow per head.</summary>
    public const int MaxRequestHeadBytes = 8 * 1024;

    /// <summary>Prometheus scrapes each target once per interval, health checkers likewise; a handful in parallel is plenty.</summary>
    public const int MaxConcurrentRequests = 4;

    /// <summary>Generous for a client on the same network, short enough that a stalled one does not hold a slot for long.</summary>
    public static readonly TimeSpan RequestHeadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait, after answering, for the client to close (see <see cref="DrainAsync"/>).</summary>
    public static readonly TimeSpan CloseWaitTimeout = TimeSpan.FromSeconds(1);

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly Socket _listenSocket;
    private readonly IReadOnlyDictionary<string, Func<HttpAnswer>> _routes;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly SemaphoreSlim _slots = new(MaxConcurrentRequests, MaxConcurrentRequests);
    private readonly ConcurrentDictionary<long, Task> _requests = new();
    private Task? _acceptLoop;
    private long _nextRequestId;

    /// <summary>Binds <paramref name="endPoint"/> (port 0 picks a free one); <see cref="Start"/> begins serving.</summary>
    public MetricsHttpServer(IPEndPoint endPoint, IReadOnlyDictionary<string, Func<HttpAnswer>> routes, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        _routes = routes;
        _logger = logger;
        _listenSocket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            ListenSockets.AllowRebindOverTimeWait(_listenSocket);
            _listenSocket.Bind(endPoint);
            _listenSocket.Listen(64);
        }
        catch
        {
            _listenSocket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_listenSocket.LocalEndPoint!;
    }

    /// <summary>The bound endpoint, with the real port when 0 was asked for.</summary>
    public IPEndPoint LocalEndPoint { get; }

    public void Start()
    {
        MetricsLog.Listening(_logger, LocalEndPoint);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public async Task StopAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        await _shutdown.CancelAsync();
        _listenSocket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        await Task.WhenAll(_requests.Values);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _shutdown.Dispose();
        _slots.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                await _slots.WaitAsync(_shutdown.Token);
                try
                {
                    socket = await _listenSocket.AcceptAsync(_shutdown.Token);
                }
                catch
                {
                    _slots.Release();
                    throw;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                MetricsLog.ConnectionDropped(_logger, null, e.Message);
                continue;
            }

            long id = Interlocked.Increment(ref _nextRequestId);
            _requests[id] = AnswerAsync(id, socket);
        }
    }

    private async Task AnswerAsync(long id, Socket socket)
    {
        await Task.Yield();
        try
        {
            using (socket)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
                timeout.CancelAfter(RequestHeadTimeout);
                var (answer, extraHeader) = await ReadAndRouteAsync(socket, timeout.Token);
                if (answer is { } a)
                {
                    await WriteAsync(socket, a, extraHeader, timeout.Token);

                    // FIN after the answer; the client reads to the end of the stream or Content-Length.
                    socket.Shutdown(SocketShutdown.Send);
                    await DrainAsync(socket, _shutdown.Token);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            MetricsLog.ConnectionDropped(_logger, null, e.Message);
        }
        finally
        {
            _requests.TryRemove(id, out _);
            _slots.Release();
        }
    }

    /// <summary>Reads the request head and picks the answer; null when the client went away first.</summary>
    private async Task<(HttpAnswer? Answer, string? ExtraHeader)> ReadAndRouteAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] head = new byte[MaxRequestHeadBytes];
        int length = 0;
        while (head.AsSpan(0, length).IndexOf(HeadEnd) < 0)
        {
            if (length == head.Length)
            {
                return (HttpAnswer.Text(431, "request head too large\n"), null);
            }

            int read = await socket.ReceiveAsync(head.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return (null, null);
            }

            length += read;
        }

        string text = Encoding.ASCII.GetString(head, 0, length);
        string[] requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || !requestLine[1].StartsWith('/'))
        {
            return (HttpAnswer.Text(400, "bad request line\n"), null);
        }

        if (requestLine[0] != "GET")
        {
            return (HttpAnswer.Text(405, "only GET is supported\n"), "Allow: GET\r\n");
        }

        string path = requestLine[1];
        int query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            path = path[..query];
        }

        if (!_routes.TryGetValue(path, out var route))
        {
            return (HttpAnswer.Text(404, $"no such path; try {string.Join(" or ", _routes.Keys)}\n"), null);
        }

        try
        {
            return (route(), null);
        }
        catch (Exception e)
        {
            MetricsLog.RouteFailed(_logger, path, e);
            return (HttpAnswer.Text(500, "internal error\n"), null);
        }
    }

    /// <summary>
    /// Reads and drops what the client still sends until it closes (bounded by
    /// <see cref="CloseWaitTimeout"/>): closing a socket with unread bytes (a request body, a
    /// pipelined request) sends a reset, which can destroy the answer before the client has read it.
    /// </summary>
    private static async Task DrainAsync(Socket socket, CancellationToken shutdown)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        wait.CancelAfter(CloseWaitTimeout);
        byte[] sink = new byte[1024];
        try
        {
            while (await socket.ReceiveAsync(sink, SocketFlags.None, wait.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            // The client keeps the connection open: close it anyway.
        }
    }

    private static async Task WriteAsync(Socket socket, HttpAnswer answer, string? extraHeader, CancellationToken cancellationToken)
    {
        string head = string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {answer.StatusCode} {answer.ReasonPhrase}\r\nContent-Type: {answer.ContentType}\r\nContent-Length: {answer.Body.Length}\r\nCache-Control: no-store\r\n{extraHeader}Connection: close\r\n\r\n");
        byte[] bytes = [.. Encoding.ASCII.GetBytes(head), .. answer.Body];
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken);
        }
    }
}
