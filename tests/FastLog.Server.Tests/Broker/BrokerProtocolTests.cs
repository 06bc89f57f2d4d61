using FastLog.Format;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;

namespace FastLog.Server.Tests.Broker;

/// <summary>
/// The broker at the protocol level, with requests real clients send in corner cases: librdkafka's
/// captured ApiVersions v3, an ApiVersions version above ours (KIP-511), unknown APIs and versions
/// (connection closed), Produce v0-2 (refused), acks=0 (no answer), and a Fetch long poll woken by
/// a produce.
/// </summary>
public sealed class BrokerProtocolTests : IAsyncLifetime
{
    private FastLogBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions());

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Librdkafkas_apiversions_v3_request_gets_a_v0_header_and_every_advertised_api()
    {
        // The bytes kcat 1.7.1 (librdkafka 2.0.2) sends first on every connection.
        byte[] captured = Convert.FromHexString("000000240012000300000001000772646b61666b6100" + "0b6c696272646b61666b6106322e302e3200");
        using var client = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        await client.Raw.SendRawAsync(captured);
        var response = await client.ReceiveAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 3, 1);

        Assert.NotNull(response);
        Assert.Equal(0, response.ErrorCode);
        var ranges = response.ApiKeys.ToDictionary(k => (ApiKey)k.ApiKey, k => (k.MinVersion, k.MaxVersion));
        Assert.Equal((0, 4), ranges[ApiKey.ApiVersions]);
        Assert.Equal((0, 11), ranges[ApiKey.Produce]);
        Assert.Equal((4, 12), ranges[ApiKey.Fetch]);
        Assert.Equal((0, 12), ranges[ApiKey.Metadata]);
        Assert.Equal(0, ranges[ApiKey.FindCoordinator].MinVersion);
    }

    [Fact]
    public async Task An_apiversions_version_above_ours_is_answered_in_v0_with_unsupported_version()
    {
        // ApiVersions v9 (a future version), header v2 with an empty client id; the body is never read.
        using var raw = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        byte[] frame = [0, 0, 0, 11, 0, 18, 0, 9, 0, 0, 0, 7, 0, 0, 0];
        await raw.Raw.SendRawAsync(frame);
        var response = await raw.ReceiveAsync<ApiVersionsResponse>(ApiKey.ApiVersions, 0, 7);

        Assert.NotNull(response);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        var entry = Assert.Single(response.ApiKeys);
        Assert.Equal(((short)18, (short)0, (short)4), (entry.ApiKey, entry.MinVersion, entry.MaxVersion));
    }

    [Theory]
    [InlineData(ApiKey.Fetch, 3)]
    [InlineData(ApiKey.Metadata, 13)]
    [InlineData((ApiKey)999, 0)]
    public async Task Unknown_apis_and_versions_close_the_connection(ApiKey apiKey, short version)
    {
        using var client = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        byte[] frame = [0, 0, 0, 10, (byte)((short)apiKey >> 8), (byte)apiKey, (byte)(version >> 8), (byte)version, 0, 0, 0, 1, 0xff, 0xff];
        frame[3] = (byte)(frame.Length - 4);
        await client.Raw.SendRawAsync(frame);
        Assert.True(await client.Raw.WaitForCloseAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task Produce_v2_is_refused_and_acks_0_is_not_answered_but_appended()
    {
        using var client = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "p" }] }, 4);

        var old = await client.RoundTripAsync<ProduceResponse>(Produce("p", acks: 1), 2);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, old!.Responses[0].PartitionResponses[0].ErrorCode);

        await client.SendAsync(Produce("p", acks: 0), 7);
        var after = await client.RoundTripAsync<ProduceResponse>(Produce("p", acks: -1), 7);

        // The acks=0 request got no answer (the next frame is the acks=all one) yet was appended first.
        Assert.NotNull(after);
        Assert.Equal(0, after.Responses[0].PartitionResponses[0].ErrorCode);
        Assert.Equal(1, after.Responses[0].PartitionResponses[0].BaseOffset);
    }

    [Fact]
    public async Task Clients_cannot_append_to_the_committed_offsets_topic()
    {
        using var client = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        var response = await client.RoundTripAsync<ProduceResponse>(Produce("__consumer_offsets", acks: 1), 7);
        Assert.Equal((short)ErrorCode.InvalidTopicException, response!.Responses[0].PartitionResponses[0].ErrorCode);
    }

    [Fact]
    public async Task A_fetch_long_poll_is_woken_by_a_produce()
    {
        using var consumer = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        using var producer = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        await producer.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "poll" }] }, 4);

        var fetch = new FetchRequest
        {
            MaxWaitMs = 30_000,
            MinBytes = 1,
            Topics = [new FetchRequest.FetchTopic { Topic = "poll", Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }] }],
        };
        var pending = consumer.RoundTripAsync<FetchResponse>(fetch, 11);
        await Task.Delay(200);
        Assert.False(pending.IsCompleted);

        await producer.RoundTripAsync<ProduceResponse>(Produce("poll", acks: 1), 7);
        var response = await pending;

        var partition = response!.Responses[0].Partitions[0];
        Assert.Equal(0, partition.ErrorCode);
        Assert.Equal(1, partition.HighWatermark);
        Assert.True(partition.Records.LengthBytes > RecordBatchLayout.HeaderSize);
    }

    [Fact]
    public async Task A_fetch_with_nothing_new_waits_out_max_wait_and_answers_empty()
    {
        using var client = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "idle" }] }, 4);
        await client.RoundTripAsync<ProduceResponse>(Produce("idle", acks: 1), 7);

        var response = await client.RoundTripAsync<FetchResponse>(Fetch("idle", fetchOffset: 1, maxWaitMs: 300), 11);

        var partition = response!.Responses[0].Partitions[0];
        Assert.Equal(0, partition.ErrorCode);
        Assert.Equal(1, partition.HighWatermark);
        Assert.Equal(0, partition.Records.LengthBytes);
    }

    [Theory]
    [InlineData("gone", 0, (short)ErrorCode.UnknownTopicOrPartition)]
    [InlineData("ahead", 5, (short)ErrorCode.OffsetOutOfRange)]
    public async Task A_long_poll_with_an_error_to_report_answers_at_once(string topic, long fetchOffset, short expected)
    {
        using var client = await ProtocolClient.ConnectAsync(_broker.LocalEndPoint);
        if (topic != "gone")
        {
            await client.RoundTripAsync<MetadataResponse>(new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }] }, 4);
            await client.RoundTripAsync<ProduceResponse>(Produce(topic, acks: 1), 7);
        }

        // Five minutes of max wait: waiting it out would fail the test on its 60 s guard.
        var response = await client.RoundTripAsync<FetchResponse>(Fetch(topic, fetchOffset, maxWaitMs: 300_000), 11).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(expected, response!.Responses[0].Partitions[0].ErrorCode);
    }

    private static FetchRequest Fetch(string topic, long fetchOffset, int maxWaitMs) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = 1,
        Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = fetchOffset, PartitionMaxBytes = 1 << 20 }] }],
    };

    private static ProduceRequest Produce(string topic, short acks)
    {
        using var builder = new RecordBatchBuilder();
        builder.Append(1_700_000_000_000, "k"u8.ToArray(), "v"u8.ToArray());
        return new ProduceRequest
        {
            Acks = acks,
            TimeoutMs = 30_000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = KafkaRecords.FromBytes(builder.Build()) }] }],
        };
    }
}
