using FastLog.Client.Tests.Consumer;
using FastLog.Format;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;

namespace FastLog.Client.Tests;

/// <summary>
/// <see cref="KafkaConnection.SendLeasedAsync{TResponse}"/>: a response parsed over its own receive frame. Its
/// record bytes stay intact while other requests come and go on the connection, until the lease is disposed;
/// a leased request that is cancelled or times out gives its frame back when the late answer arrives and leaves
/// the connection usable.
/// </summary>
public sealed class SendLeasedTests
{
    private static (string Host, int Port) Parse(string bootstrap)
    {
        int colon = bootstrap.LastIndexOf(':');
        return (bootstrap[..colon], int.Parse(bootstrap[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static FetchRequest Fetch(string topic, long offset, int maxWaitMs = 0) => new()
    {
        ReplicaId = -1,
        MaxWaitMs = maxWaitMs,
        MinBytes = 1,
        MaxBytes = 1024 * 1024,
        Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = offset, PartitionMaxBytes = 1024 * 1024 }] }],
    };

    private static ReadOnlyMemory<byte> Records(FetchResponse response) =>
        response.Responses.Single().Partitions.Single().Records.Bytes;

    [Fact]
    public async Task Leased_record_bytes_stay_valid_until_the_lease_is_disposed()
    {
        await using FastLogBroker broker = await ConsumerTestKit.StartBrokerAsync();
        await ConsumerTestKit.ProduceAsync(broker.BootstrapServers, "leased", 500, valueBytes: 200);
        var (host, port) = Parse(broker.BootstrapServers);
        await using var connection = await KafkaConnection.ConnectAsync(host, port);
        short version = connection.PickVersion(ApiKey.Fetch, 4, 12);

        ResponseLease<FetchResponse> lease = await connection.SendLeasedAsync<FetchResponse>(Fetch("leased", 0), version);
        ReadOnlyMemory<byte> records = Records(lease.Response);
        byte[] copy = records.ToArray();
        Assert.NotEmpty(copy);
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(copy, copy.Length, out _));

        // Other responses, leased and not, rent and return frames meanwhile; the leased bytes must not change.
        for (int i = 0; i < 50; i++)
        {
            using ResponseLease<FetchResponse> other = await connection.SendLeasedAsync<FetchResponse>(Fetch("leased", i), version);
            Assert.NotEqual(0, Records(other.Response).Length);
            await connection.SendAsync<MetadataResponse>(new MetadataRequest { Topics = [] }, connection.PickVersion(ApiKey.Metadata));
        }

        Assert.True(records.Span.SequenceEqual(copy));
        lease.Dispose();
        lease.Dispose(); // a second dispose is harmless
        Assert.Equal(0, connection.InFlightCount);
    }

    [Fact]
    public async Task A_cancelled_leased_request_gives_its_frame_back_and_the_connection_keeps_working()
    {
        await using FastLogBroker broker = await ConsumerTestKit.StartBrokerAsync();
        await ConsumerTestKit.CreateTopicAsync(broker.BootstrapServers, "long-poll");
        var (host, port) = Parse(broker.BootstrapServers);
        await using var connection = await KafkaConnection.ConnectAsync(host, port);
        short version = connection.PickVersion(ApiKey.Fetch, 4, 12);

        // A long poll past the end: the broker answers after MaxWaitMs, long after the cancellation.
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(
                () => connection.SendLeasedAsync<FetchResponse>(Fetch("long-poll", 1, maxWaitMs: 1500), version, cancel.Token));
        }

        // The late answer is read (and its frame returned) without disturbing the next responses.
        await ConsumerTestKit.WaitUntilAsync(() => connection.InFlightCount == 0, "the late answer is consumed");
        Assert.True(connection.IsConnected);
        using ResponseLease<FetchResponse> next = await connection.SendLeasedAsync<FetchResponse>(Fetch("long-poll", 0), version);
        byte[] records = Records(next.Response).ToArray();
        Assert.Equal(RecordBatchError.None, RecordBatchValidator.Validate(records, records.Length, out _));
    }

    [Fact]
    public async Task A_timed_out_leased_request_fails_with_request_timed_out_and_the_connection_keeps_working()
    {
        await using FastLogBroker broker = await ConsumerTestKit.StartBrokerAsync();
        await ConsumerTestKit.CreateTopicAsync(broker.BootstrapServers, "slow");
        var (host, port) = Parse(broker.BootstrapServers);
        await using var connection = await KafkaConnection.ConnectAsync(host, port, new KafkaConnectionOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
        short version = connection.PickVersion(ApiKey.Fetch, 4, 12);

        KafkaException error = await Assert.ThrowsAsync<KafkaException>(
            () => connection.SendLeasedAsync<FetchResponse>(Fetch("slow", 1, maxWaitMs: 5000), version));
        Assert.Equal(ErrorCode.RequestTimedOut, error.Error);

        await ConsumerTestKit.WaitUntilAsync(() => connection.InFlightCount == 0, "the late answer is consumed");
        using ResponseLease<FetchResponse> next = await connection.SendLeasedAsync<FetchResponse>(Fetch("slow", 0), version);
        Assert.NotEqual(0, Records(next.Response).Length);
    }
}
