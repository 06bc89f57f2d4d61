using System.Buffers;
using System.Net;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Tests.Network;

namespace FastLog.Server.Tests.Broker;

/// <summary>A minimal Kafka client over raw frames, for requests real clients never send (old, new or broken versions).</summary>
internal sealed class ProtocolClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TestClient _client;
    private int _correlationId;

    private ProtocolClient(TestClient client)
    {
        _client = client;
    }

    public static async Task<ProtocolClient> ConnectAsync(IPEndPoint endPoint) => new(await TestClient.ConnectAsync(endPoint));

    public TestClient Raw => _client;

    public async Task SendAsync(IKafkaMessage request, short version)
    {
        var output = new ArrayBufferWriter<byte>();
        KafkaFrame.WriteRequest(output, new RequestHeader { ApiVersion = version, CorrelationId = ++_correlationId, ClientId = "fastlog-test" }, request);
        await _client.SendRawAsync(output.WrittenSpan.ToArray());
    }

    /// <summary>Sends a request and reads its response; null when the broker closed the connection.</summary>
    public async Task<T?> RoundTripAsync<T>(IKafkaMessage request, short version)
        where T : class, IKafkaMessage
    {
        await SendAsync(request, version);
        return await ReceiveAsync<T>(request.ApiKey, version, _correlationId);
    }

    public async Task<T?> ReceiveAsync<T>(ApiKey apiKey, short version, int expectedCorrelationId)
        where T : class, IKafkaMessage
    {
        var frame = await _client.ReadFrameAsync(Timeout);
        if (frame is null)
        {
            return null;
        }

        return Parse<T>(frame, apiKey, version, expectedCorrelationId);
    }

    public static T Parse<T>(byte[] frame, ApiKey apiKey, short version, int expectedCorrelationId)
        where T : class, IKafkaMessage
    {
        var reader = new KafkaReader(frame);
        var header = ResponseHeader.Read(ref reader, ApiHeaderVersions.Response(apiKey, version));
        Assert.Equal(expectedCorrelationId, header.CorrelationId);
        var body = (T)KafkaApis.ReadResponse(apiKey, version, ref reader);
        Assert.True(reader.IsAtEnd, "response has trailing bytes");
        return body;
    }

    public void Dispose() => _client.Dispose();
}
