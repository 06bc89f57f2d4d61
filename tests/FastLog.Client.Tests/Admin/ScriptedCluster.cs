using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Tests.Admin;

/// <summary>
/// A one-node "cluster" on loopback that accepts any number of connections and answers each request with what the
/// test's handler returns for it (ApiVersions is answered with every API the codecs know). For driving the admin
/// client through error answers a real broker does not give on demand (not controller, coordinator loading).
/// </summary>
internal sealed class ScriptedCluster : IAsyncDisposable
{
    public const int NodeId = 1;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<ApiKey, int, IKafkaMessage> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accept;
    private readonly Dictionary<ApiKey, int> _counts = [];

    /// <param name="handler">Answers the n-th (1-based) request of an API.</param>
    public ScriptedCluster(Func<ApiKey, int, IKafkaMessage> handler)
    {
        _handler = handler;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>API keys in the order requests arrived (ApiVersions excluded).</summary>
    public List<ApiKey> Received { get; } = [];

    public MetadataResponse Metadata() => new()
    {
        ClusterId = "scripted",
        ControllerId = NodeId,
        Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = NodeId, Host = "127.0.0.1", Port = Port }],
    };

    public FindCoordinatorResponse Coordinator(string key) => new()
    {
        Coordinators = [new FindCoordinatorResponse.Coordinator { Key = key, NodeId = NodeId, Host = "127.0.0.1", Port = Port }],
        NodeId = NodeId,
        Host = "127.0.0.1",
        Port = Port,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] all;
        lock (_connections)
        {
            all = [_accept, .. _connections];
        }

        try
        {
            await Task.WhenAll(all);
        }
        catch (Exception)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
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

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
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
                IKafkaMessage body = apiKey == ApiKey.ApiVersions ? AllApiVersions() : Next(apiKey);
                await stream.WriteAsync(Frame(apiKey, version, correlationId, body), _stop.Token);
            }
        }
    }

    private IKafkaMessage Next(ApiKey apiKey)
    {
        int n;
        lock (_counts)
        {
            n = _counts[apiKey] = _counts.GetValueOrDefault(apiKey) + 1;
            Received.Add(apiKey);
        }

        return _handler(apiKey, n);
    }

    private static ApiVersionsResponse AllApiVersions() => new()
    {
        ApiKeys = [.. ApiVersionTable.All.Select(r => new ApiVersionsResponse.ApiVersion { ApiKey = (short)r.ApiKey, MinVersion = r.MinVersion, MaxVersion = r.MaxVersion })],
    };

    private static byte[] Frame(ApiKey apiKey, short version, int correlationId, IKafkaMessage body)
    {
        bool taggedHeader = ApiHeaderVersions.Response(apiKey, version) >= 1;
        int size = 4 + (taggedHeader ? 1 : 0) + body.ComputeSize(version);
        byte[] response = new byte[4 + size];
        var writer = new KafkaWriter(response);
        writer.WriteInt32(size);
        writer.WriteInt32(correlationId);
        if (taggedHeader)
        {
            writer.WriteUnsignedVarInt(0);
        }

        body.Write(ref writer, version);
        return response;
    }
}
