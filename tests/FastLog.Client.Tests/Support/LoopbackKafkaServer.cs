using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Tests.Support;

/// <summary>
/// The socket side of the fake brokers the client tests script: a loopback listener taking any number of
/// connections, each reading request frames, parsing them with the protocol library and writing back what
/// <see cref="Answer"/> returns (null: no answer, as for acks=0). Subclasses decide only the answers.
/// </summary>
internal abstract class LoopbackKafkaServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task? _accept;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BootstrapServers => $"127.0.0.1:{Port}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] all;
        lock (_connections)
        {
            all = [_accept ?? Task.CompletedTask, .. _connections];
        }

        try
        {
            await Task.WhenAll(all);
        }
        catch (Exception)
        {
            // Stopping: a connection may end with whatever its client or the scripted answer threw.
        }

        _stop.Dispose();
    }

    /// <summary>Starts listening; call at the end of the subclass constructor, once its state is ready.</summary>
    protected void Start()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    /// <summary>The answer to one request, or null to send nothing.</summary>
    protected abstract IKafkaMessage? Answer(RequestHeader header, IKafkaMessage request);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(socket));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using Socket owned = socket;
        await using var stream = new NetworkStream(owned);
        byte[] prefix = new byte[4];
        var output = new ArrayBufferWriter<byte>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await stream.ReadExactlyAsync(prefix, _stop.Token);
                byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
                await stream.ReadExactlyAsync(frame, _stop.Token);
                var reader = new KafkaReader(frame.AsMemory());
                RequestHeader header = RequestHeader.Read(ref reader);
                IKafkaMessage request = KafkaApis.ReadRequest(header.ApiKey, header.ApiVersion, ref reader);
                IKafkaMessage? response = Answer(header, request);
                if (response is null)
                {
                    continue;
                }

                output.ResetWrittenCount();
                KafkaFrame.WriteResponse(output, header.CorrelationId, header.ApiVersion, response);
                await stream.WriteAsync(output.WrittenMemory, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or EndOfStreamException)
        {
            // Client gone or stopping.
        }
    }
}
