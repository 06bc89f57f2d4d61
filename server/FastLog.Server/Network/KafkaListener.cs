using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLog.Server.Network;

/// <summary>
/// Accepts TCP connections on one endpoint and runs a <see cref="KafkaConnection"/> for each.
/// Connections past max.connections are closed at once. <see cref="StopAsync"/> stops accepting,
/// lets every connection answer what it already accepted, and waits for them to finish.
/// </summary>
public sealed class KafkaListener : IAsyncDisposable
{
    private readonly Socket _listenSocket;
    private readonly NetworkOptions _options;
    private readonly IRequestProcessor _processor;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Task? _acceptLoop;
    private long _nextConnectionId;

    public KafkaListener(IPEndPoint endPoint, NetworkOptions options, IRequestProcessor processor, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        _options = options;
        _processor = processor;
        _logger = logger ?? NullLogger.Instance;
        _listenSocket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            ListenSockets.AllowRebindOverTimeWait(_listenSocket);
            _listenSocket.Bind(endPoint);
            _listenSocket.Listen(512);
        }
        catch
        {
            _listenSocket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_listenSocket.LocalEndPoint!;
    }

    /// <summary>The bound endpoint (with the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    public int ConnectionCount => _connections.Count;

    /// <summary>Bytes and connections counted since the listener started (for metrics).</summary>
    public NetworkCounters Counters { get; } = new();

    public void Start()
    {
        NetworkLog.Listening(_logger, LocalEndPoint);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public async Task StopAsync()
    {
        await _shutdown.CancelAsync();
        _listenSocket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        await Task.WhenAll(_connections.Values);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _shutdown.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listenSocket.AcceptAsync(_shutdown.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                NetworkLog.AcceptFailed(_logger, e);
                continue;
            }

            if (_connections.Count >= _options.MaxConnections)
            {
                NetworkLog.TooManyConnections(_logger, socket.RemoteEndPoint, _options.MaxConnections);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            long id = Interlocked.Increment(ref _nextConnectionId);
            Counters.ConnectionAccepted();
            var connection = new KafkaConnection(id, socket, _options, _processor, _logger, Counters);
            _connections[id] = RunConnectionAsync(id, connection);
        }
    }

    private async Task RunConnectionAsync(long id, KafkaConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(_shutdown.Token);
        }
        catch (Exception e)
        {
            NetworkLog.ProcessorFailed(_logger, connection.Context, e);
        }
        finally
        {
            _connections.TryRemove(id, out _);
        }
    }
}
