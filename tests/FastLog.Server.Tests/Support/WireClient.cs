using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Server.Tests.Support;

/// <summary>
/// Sends hand-built requests at an exact version and decodes the answer with the protocol library,
/// for versions no client library in the tests reaches.
/// </summary>
internal sealed class WireClient : IDisposable
{
    private readonly Socket _socket;
    private int _correlationId;

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
        var output = new ArrayBufferWriter<byte>();
        KafkaFrame.WriteRequest(output, new RequestHeader { ApiVersion = version, CorrelationId = correlationId, ClientId = "wire-test" }, request);
        await _socket.SendAsync(output.WrittenMemory, SocketFlags.None);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var prefix = new byte[4];
        await ReadExactlyAsync(prefix, timeout.Token);
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await ReadExactlyAsync(body, timeout.Token);

        var reader = new KafkaReader((ReadOnlyMemory<byte>)body);
        var header = ResponseHeader.Read(ref reader, ApiHeaderVersions.Response(request.ApiKey, version));
        Assert.Equal(correlationId, header.CorrelationId);
        var response = KafkaApis.ReadResponse(request.ApiKey, version, ref reader);
        Assert.Equal(body.Length, reader.Position);
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
