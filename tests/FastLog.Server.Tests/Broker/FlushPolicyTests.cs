using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using FastLog.Server.Tests.Fuzz;
using FastLog.Server.Tests.Support;

namespace FastLog.Server.Tests.Broker;

/// <summary>Kafka's flush settings change when data is fsynced, never whether an acks=all producer gets its answer.</summary>
public sealed class FlushPolicyTests
{
    [Fact]
    public async Task An_acks_all_produce_on_a_quiet_partition_is_answered_although_the_message_threshold_is_far()
    {
        // Before: a waiter under log.flush.interval.messages waited for the threshold, i.e. forever here.
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions
        {
            Settings = new Dictionary<string, string> { ["log.flush.interval.messages"] = "1000000" },
        });
        using var client = await WireClient.ConnectAsync(broker.LocalEndPoint);
        await FuzzSeeds.CreateTopicAsync(client);

        for (int i = 0; i < 3; i++)
        {
            var batch = FuzzSeeds.BuildBatch(i, FastLog.Format.CompressionCodec.None, records: 2, valueBytes: 32);
            var answer = (await client.SendAsync<ProduceResponse>(FuzzSeeds.Produce(-1, batch), 9)).Responses.Single().PartitionResponses.Single();
            Assert.Equal(0, answer.ErrorCode);
            Assert.Equal(i * 2, answer.BaseOffset);
        }
    }

    [Fact]
    public async Task Stopping_answers_an_acks_all_produce_that_waits_for_a_distant_interval_flush()
    {
        var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions
        {
            Settings = new Dictionary<string, string> { ["log.flush.interval.ms"] = "3600000" },
        });
        try
        {
            using var client = await WireClient.ConnectAsync(broker.LocalEndPoint);
            await FuzzSeeds.CreateTopicAsync(client);

            var batch = FuzzSeeds.BuildBatch(1, FastLog.Format.CompressionCodec.None, records: 2, valueBytes: 32);
            var pending = client.SendAsync<ProduceResponse>(FuzzSeeds.Produce(-1, batch), 9);
            await Task.Delay(200);
            Assert.False(pending.IsCompleted); // waiting for a tick an hour away

            // A bound against a hang, not a speed check: without the flush on stop this waits an hour.
            await broker.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var answer = (await pending).Responses.Single().PartitionResponses.Single();
            Assert.Equal(0, answer.ErrorCode);
            Assert.Equal(0, answer.BaseOffset);
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }
}
