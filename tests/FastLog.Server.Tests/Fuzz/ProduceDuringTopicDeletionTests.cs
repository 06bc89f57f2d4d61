using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using FastLog.Server.Tests.Support;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>
/// Found by the fuzz run: an acks=all produce still waiting for its fsync when its topic was deleted
/// (a mutated request re-read as DeleteTopics) failed with the committer's ObjectDisposedException;
/// the broker logged it at Error level and closed the connection without answering the requests
/// before it. The produce must be answered, with Kafka's NOT_LEADER_OR_FOLLOWER, and the connection
/// must keep serving.
/// </summary>
public sealed class ProduceDuringTopicDeletionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the wait is then the journal's, which the partition's close does not end
    public async Task An_acks_all_produce_pending_when_its_topic_is_deleted_is_answered_with_not_leader(bool commitJournal)
    {
        var logs = new CountingLoggerProvider();
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions
        {
            LoggerFactory = logs,

            // Acks=all waits for the policy's flush: an hour away, so the produce is certainly still waiting at the deletion.
            Settings = new Dictionary<string, string> { ["log.flush.interval.ms"] = "3600000", ["log.commit.journal.enable"] = commitJournal ? "true" : "false" },
        });

        using var producer = await WireClient.ConnectAsync(broker.LocalEndPoint);
        using var admin = await WireClient.ConnectAsync(broker.LocalEndPoint);
        await FuzzSeeds.CreateTopicAsync(admin);

        var batch = FuzzSeeds.BuildBatch(1, FastLog.Format.CompressionCodec.None, records: 2, valueBytes: 32);
        var pending = producer.SendAsync<ProduceResponse>(FuzzSeeds.Produce(-1, batch), 9);
        await WaitUntilAppendedAsync(admin);
        Assert.False(pending.IsCompleted);

        var deleted = await admin.SendAsync<DeleteTopicsResponse>(new DeleteTopicsRequest { TopicNames = [FuzzSeeds.Topic], TimeoutMs = 30_000 }, 5);
        Assert.Equal(0, deleted.Responses.Single().ErrorCode);

        var answer = (await pending.WaitAsync(TimeSpan.FromSeconds(30))).Responses.Single().PartitionResponses.Single();
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, answer.ErrorCode);
        Assert.Equal(-1, answer.BaseOffset);

        // The same connection still serves.
        var after = await producer.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "fuzz-client", ClientSoftwareVersion = "1.0.0" }, 3);
        Assert.Equal(0, after.ErrorCode);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }

    /// <summary>Polls ListOffsets until the produce's batch is in the log (it is answered only at the fsync).</summary>
    private static async Task WaitUntilAppendedAsync(WireClient admin)
    {
        for (int i = 0; i < 300; i++)
        {
            var offsets = await admin.SendAsync<ListOffsetsResponse>(new ListOffsetsRequest
            {
                ReplicaId = -1,
                Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = FuzzSeeds.Topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = -1 }] }],
            }, 4);
            if (offsets.Topics.Single().Partitions.Single().Offset > 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the produce never reached the log");
    }
}
