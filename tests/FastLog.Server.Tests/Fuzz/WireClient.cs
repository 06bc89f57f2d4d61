using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>A well-behaved raw Kafka client: one request, one typed response, with a timeout on every read.</summary>
internal sealed class WireClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private int _correlationId = 1000;

    private WireClient(Socket socket)
    {
        _socket = socket;
    }

    public static async Task<WireClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new WireClient(socket);
    }

    public async Task<TResponse> SendAsync<TResponse>(IKafkaMessage request, short version)
        where TResponse : IKafkaMessage
    {
        int correlationId = ++_correlationId;
        byte[] frame = FuzzSeeds.Encode(request, version, correlationId);
        using var cts = new CancellationTokenSource(Timeout);
        await _socket.SendAsync(frame, SocketFlags.None, cts.Token);
        var prefix = new byte[4];
        await ReadExactlyAsync(prefix, cts.Token);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await ReadExactlyAsync(body, cts.Token);
        var reader = new KafkaReader(body.AsMemory());
        var header = ResponseHeader.Read(ref reader, ApiHeaderVersions.Response(request.ApiKey, version));
        if (header.CorrelationId != correlationId)
        {
            throw new InvalidOperationException($"correlation id {header.CorrelationId}, expected {correlationId}");
        }

        var response = KafkaApis.ReadResponse(request.ApiKey, version, ref reader);
        if (!reader.IsAtEnd)
        {
            throw new InvalidOperationException($"{reader.RemainingBytes} bytes left after the {request.ApiKey} v{version} response");
        }

        return (TResponse)response;
    }

    public void Dispose() => _socket.Dispose();

    private async Task ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await _socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the broker closed the connection");
            }

            total += read;
        }
    }
}
