using System.Net;
using System.Net.Sockets;
using FastLog.Client.Tests.Support;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;

namespace FastLog.Client.Tests;

public sealed class KafkaConnectionTests
{
    /// <summary>Only catches a call that never returns (the client must not wait forever); not a speed check.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(1);

    private static (string Host, int Port) Parse(string bootstrap)
    {
        int colon = bootstrap.LastIndexOf(':');
        return (bootstrap[..colon], int.Parse(bootstrap[(colon + 1)..]));
    }

    [Fact]
    public async Task Connect_negotiates_api_versions_v3_and_stores_the_broker_ranges()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        var (host, port) = Parse(broker.BootstrapServers);
        await using var connection = await KafkaConnection.ConnectAsync(host, port);

        Assert.True(connection.IsConnected);
        Assert.Equal(3, connection.ApiVersionsVersion);
        Assert.True(connection.BrokerApiVersions.ContainsKey(ApiKey.ApiVersions));
        Assert.True(connection.BrokerApiVersions.TryGetValue(ApiKey.Metadata, out ApiVersionRange metadata));
        Assert.True(metadata.MaxVersion >= metadata.MinVersion);

        short picked = connection.PickVersion(ApiKey.Metadata, 0, 12);
        Assert.Equal(Math.Min((short)12, metadata.MaxVersion), picked);
        Assert.Equal(4, connection.PickVersion(ApiKey.Metadata, 0, 4));

        var none = Assert.Throws<KafkaException>(() => connection.PickVersion(ApiKey.Metadata, 100, 200));
        Assert.Equal(ErrorCode.UnsupportedVersion, none.Error);
        Assert.False(none.IsRetriable);
        Assert.Contains("Metadata", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hundred_pipelined_requests_are_all_answered_and_matched()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        var (host, port) = Parse(broker.BootstrapServers);
        await using var connection = await KafkaConnection.ConnectAsync(host, port);
        short version = connection.PickVersion(ApiKey.Metadata);

        // Each request names a different (absent) topic, so each response says which request it answers.
        Task<MetadataResponse>[] inFlight = Enumerable.Range(0, 100)
            .Select(i => connection.SendAsync<MetadataResponse>(
                new MetadataRequest
                {
                    AllowAutoTopicCreation = false,
                    Topics = [new MetadataRequest.MetadataRequestTopic { Name = $"absent-{i}" }],
                },
                version,
                CancellationToken.None))
            .ToArray();
        MetadataResponse[] responses = await Task.WhenAll(inFlight);

        for (int i = 0; i < responses.Length; i++)
        {
            MetadataResponse.MetadataResponseTopic topic = Assert.Single(responses[i].Topics);
            Assert.Equal($"absent-{i}", topic.Name);
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, topic.ErrorCode);
        }

        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task Unreachable_broker_fails_fast_with_a_network_error()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var error = await Assert.ThrowsAsync<KafkaException>(() => KafkaConnection.ConnectAsync(
            "127.0.0.1", port, new KafkaConnectionOptions { ConnectTimeout = TimeSpan.FromSeconds(5) }).WaitAsync(HangGuard));
        Assert.Equal(ErrorCode.NetworkException, error.Error);
        Assert.True(error.IsRetriable);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_broker_times_out_with_request_timed_out()
    {
        await using var silent = new ScriptedBroker((_, _) => null);
        var error = await Assert.ThrowsAsync<KafkaException>(() => KafkaConnection.ConnectAsync(
            "127.0.0.1", silent.Port, new KafkaConnectionOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) }).WaitAsync(HangGuard));
        Assert.Equal(ErrorCode.RequestTimedOut, error.Error);
        Assert.True(error.IsRetriable);
    }

    [Fact]
    public async Task Cancellation_of_an_in_flight_request_is_honoured()
    {
        await using var silent = new ScriptedBroker((_, _) => null);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => KafkaConnection.ConnectAsync(
            "127.0.0.1", silent.Port, new KafkaConnectionOptions { RequestTimeout = TimeSpan.FromMinutes(1) }, cancel.Token).WaitAsync(HangGuard));
    }

    [Fact]
    public async Task A_cancelled_request_does_not_disturb_the_connection()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        var (host, port) = Parse(broker.BootstrapServers);
        await using var connection = await KafkaConnection.ConnectAsync(host, port);
        short version = connection.PickVersion(ApiKey.Metadata);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, version, new CancellationToken(canceled: true)));
        var response = await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, version, CancellationToken.None);
        Assert.NotEmpty(response.Brokers);
    }

    [Fact]
    public async Task Falls_back_to_api_versions_v0_when_v3_is_unsupported()
    {
        ApiVersionsResponse.ApiVersion Range(ApiKey key, short min, short max) =>
            new() { ApiKey = (short)key, MinVersion = min, MaxVersion = max };
        await using var old = new ScriptedBroker(
            (apiKey, version) => new ApiVersionsResponse
            {
                ErrorCode = version > 2 ? (short)ErrorCode.UnsupportedVersion : (short)0,
                ApiKeys = [Range(ApiKey.ApiVersions, 0, 2), Range(ApiKey.Metadata, 0, 7)],
            },
            // Like an old broker: an unsupported ApiVersions request is answered with a v0 body.
            responseVersion: (version, _) => version > 2 ? (short)0 : version);

        await using var connection = await KafkaConnection.ConnectAsync("127.0.0.1", old.Port);

        Assert.Equal([(ApiKey.ApiVersions, (short)3), (ApiKey.ApiVersions, (short)0)], old.Received);
        Assert.Equal(0, connection.ApiVersionsVersion);
        Assert.Equal(7, connection.PickVersion(ApiKey.Metadata, 0, 12));
        var missing = Assert.Throws<KafkaException>(() => connection.PickVersion(ApiKey.Produce, 0, 11));
        Assert.Equal(ErrorCode.UnsupportedVersion, missing.Error);
    }

    [Fact]
    public async Task In_flight_requests_fail_with_a_network_error_when_the_connection_closes()
    {
        var script = new ScriptedBroker((apiKey, _) => apiKey == ApiKey.ApiVersions
            ? new ApiVersionsResponse { ApiKeys = [new() { ApiKey = (short)ApiKey.Metadata, MinVersion = 0, MaxVersion = 12 }] }
            : null);
        await using var connection = await KafkaConnection.ConnectAsync("127.0.0.1", script.Port);
        Task<MetadataResponse> pending = connection.SendAsync<MetadataResponse>(new MetadataRequest(), 12, CancellationToken.None);
        await Task.Delay(100);
        await script.DisposeAsync();

        var error = await Assert.ThrowsAsync<KafkaException>(() => pending);
        Assert.Equal(ErrorCode.NetworkException, error.Error);
        Assert.False(connection.IsConnected);
        var next = await Assert.ThrowsAsync<KafkaException>(
            () => connection.SendAsync<MetadataResponse>(new MetadataRequest(), 12, CancellationToken.None));
        Assert.Equal(ErrorCode.NetworkException, next.Error);
    }
}

public sealed class KafkaConnectionArgumentTests
{
    [Fact]
    public async Task Versions_the_codecs_cannot_write_are_rejected_before_sending()
    {
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());
        var address = BrokerAddress.Parse(broker.BootstrapServers);
        await using var connection = await KafkaConnection.ConnectAsync(address.Host, address.Port);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => connection.SendAsync<MetadataResponse>(new MetadataRequest(), 99, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(
            () => connection.SendAsync<MetadataResponse>(new MetadataResponse(), 12, CancellationToken.None));
        Assert.NotEmpty((await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = null }, 12, CancellationToken.None)).Brokers);
    }
}
