using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FastLog.Server.Tests.Network;

/// <summary>A raw TCP client speaking size-prefixed frames, for socket-layer tests.</summary>
internal sealed class TestClient : IDisposable
{
    private readonly Socket _socket;

    private TestClient(Socket socket)
    {
        _socket = socket;
    }

    public static async Task<TestClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return new TestClient(socket);
    }

    public async Task SendRawAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    public Task SendFrameAsync(byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return SendRawAsync(frame);
    }

    /// <summary>Reads one frame body; null when the server closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var prefix = new byte[4];
        if (!await ReadExactlyAsync(prefix, cts.Token))
        {
            return null;
        }

        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        return await ReadExactlyAsync(body, cts.Token) ? body : null;
    }

    /// <summary>True when the server closes the connection within the timeout (reads return 0 or reset).</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return false;
            }

            if (read == 0)
            {
                return false;
            }

            total += read;
        }

        return true;
    }
}
