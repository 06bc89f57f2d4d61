using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// A one-node "cluster" on loopback that accepts any number of connections, answers ApiVersions and Metadata
/// (itself as the only broker, leading partition 0 of every topic asked about) and lets the test answer the
/// rest. For failure modes a real broker does not produce on demand, such as a coordinator that never becomes
/// available.
/// </summary>
internal sealed class ScriptedCluster : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<ApiKey, short, IKafkaMessage?> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accept;

    /// <param name="handler">Answers everything but ApiVersions and Metadata; null sends no answer.</param>
    public ScriptedCluster(Func<ApiKey, short, IKafkaMessage?> handler)
    {
        _handler = handler;
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BootstrapServers => $"127.0.0.1:{Port}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept.ContinueWith(_ => { }, TaskScheduler.Default);
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));
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
        await using (var stream = new NetworkStream(socket))
        {
            byte[] prefix = new byte[4];
            while (!_stop.IsCancellationRequested)
            {
                await stream.ReadExactlyAsync(prefix, _stop.Token);
                byte[] frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
                await stream.ReadExactlyAsync(frame, _stop.Token);
                var apiKey = (ApiKey)BinaryPrimitives.ReadInt16BigEndian(frame);
                short version = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
                int correlationId = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4));
                IKafkaMessage? body = apiKey switch
                {
                    ApiKey.ApiVersions => Versions(),
                    ApiKey.Metadata => Metadata(frame, version),
                    _ => _handler(apiKey, version),
                };
                if (body is null)
                {
                    continue;
                }

                bool taggedHeader = ApiHeaderVersions.Response(apiKey, version) == 1;
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
                await stream.WriteAsync(response, _stop.Token);
            }
        }
    }

    private static ApiVersionsResponse Versions() => new()
    {
        ApiKeys =
        [
            Range(ApiKey.ApiVersions, 0, 3),
            Range(ApiKey.Metadata, 1, 8),
            Range(ApiKey.FindCoordinator, 0, 2),
            Range(ApiKey.Fetch, 4, 11),
            Range(ApiKey.ListOffsets, 1, 5),
            Range(ApiKey.JoinGroup, 0, 5),
            Range(ApiKey.SyncGroup, 0, 3),
            Range(ApiKey.Heartbeat, 0, 3),
            Range(ApiKey.LeaveGroup, 0, 3),
            Range(ApiKey.OffsetCommit, 2, 7),
            Range(ApiKey.OffsetFetch, 1, 5),
        ],
    };

    private static ApiVersionsResponse.ApiVersion Range(ApiKey key, short min, short max) =>
        new() { ApiKey = (short)key, MinVersion = min, MaxVersion = max };

    private MetadataResponse Metadata(byte[] frame, short version)
    {
        // Skip the request header (api key, version, correlation id, client id) and read the topic names asked for.
        var reader = new KafkaReader(frame);
        reader.Skip(8);
        reader.ReadNullableString(flexible: false);
        var request = MetadataRequest.Read(ref reader, version);
        return new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 0, Host = "127.0.0.1", Port = Port }],
            ControllerId = 0,
            ClusterId = "scripted",
            Topics = [.. (request.Topics ?? []).Select(t => new MetadataResponse.MetadataResponseTopic
            {
                Name = t.Name,
                Partitions = [new MetadataResponse.MetadataResponsePartition { PartitionIndex = 0, LeaderId = 0, ReplicaNodes = [0], IsrNodes = [0] }],
            })],
        };
    }
}
