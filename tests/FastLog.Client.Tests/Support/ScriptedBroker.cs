using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FastLog.Protocol;

namespace FastLog.Client.Tests.Support;

/// <summary>
/// A loopback TCP server that reads request frames and answers what the test's handler says: a response body
/// (written as a header-v0 frame with the request's correlation id) or null for no answer at all.
/// </summary>
internal sealed class ScriptedBroker : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<ApiKey, short, IKafkaMessage?> _handler;
    private readonly Func<short, ApiKey, short> _responseVersion;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public ScriptedBroker(Func<ApiKey, short, IKafkaMessage?> handler, Func<short, ApiKey, short>? responseVersion = null)
    {
        _handler = handler;
        _responseVersion = responseVersion ?? ((version, _) => version);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public List<(ApiKey ApiKey, short Version)> Received { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        using Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
        await using var stream = new NetworkStream(socket);
        byte[] prefix = new byte[4];
        while (!_stop.IsCancellationRequested)
        {
            await stream.ReadExactlyAsync(prefix, _stop.Token);
            byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
            await stream.ReadExactlyAsync(frame, _stop.Token);
            var apiKey = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(frame);
            short version = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
            int correlationId = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));
            lock (Received)
            {
                Received.Add((apiKey, version));
            }

            IKafkaMessage? body = _handler(apiKey, version);
            if (body is null)
            {
                continue;
            }

            short bodyVersion = _responseVersion(version, apiKey);
            int size = 4 + body.ComputeSize(bodyVersion);
            byte[] response = new byte[4 + size];
            var writer = new KafkaWriter(response);
            writer.WriteInt32(size);
            writer.WriteInt32(correlationId);
            body.Write(ref writer, bodyVersion);
            await stream.WriteAsync(response, _stop.Token);
        }
    }
}
