using FastLog.Client.Consumer;
using FastLog.Client.Serialization;
using FastLog.Protocol;
using FastLog.Protocol.Messages;

namespace FastLog.Client.Tests.Consumer;

/// <summary>
/// A coordinator that moves (NOT_COORDINATOR), is unavailable or still loading is looked up again with
/// FindCoordinator and the request retried, for commits and committed-offset lookups alike.
/// </summary>
public sealed class CoordinatorMoveTests
{
    private static ConsumerOptions Options(ScriptedCluster cluster) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        GroupId = "moving",
        EnableAutoCommit = false,
        RequestTimeout = TimeSpan.FromSeconds(20),
        RetryBackoff = TimeSpan.FromMilliseconds(20),
        FetchMaxWait = TimeSpan.FromMilliseconds(100),
    };

    private static T Counted<T>(ref int counter, T response)
    {
        Interlocked.Increment(ref counter);
        return response;
    }

    private static FindCoordinatorResponse Here(ScriptedCluster cluster) => new() { NodeId = 0, Host = "127.0.0.1", Port = cluster.Port };

    [Theory]
    [InlineData(ErrorCode.NotCoordinator)]
    [InlineData(ErrorCode.CoordinatorNotAvailable)]
    [InlineData(ErrorCode.CoordinatorLoadInProgress)]
    public async Task A_commit_refused_by_a_moved_coordinator_is_retried_after_finding_it_again(ErrorCode first)
    {
        int lookups = 0;
        int commits = 0;
        ScriptedCluster? self = null;
        await using var cluster = new ScriptedCluster((api, _) => api switch
        {
            ApiKey.FindCoordinator => Counted(ref lookups, Here(self!)),
            ApiKey.OffsetCommit => new OffsetCommitResponse
            {
                Topics =
                [
                    new OffsetCommitResponse.OffsetCommitResponseTopic
                    {
                        Name = "t",
                        Partitions = [new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = 0, ErrorCode = Interlocked.Increment(ref commits) == 1 ? (short)first : (short)0 }],
                    },
                ],
            },
            _ => null,
        });
        self = cluster;
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(cluster));

        await consumer.CommitAsync([new TopicPartitionOffset("t", 0, 5)]).WaitAsync(ConsumerTestKit.HangGuard);

        Assert.Equal(2, Volatile.Read(ref commits));
        Assert.True(Volatile.Read(ref lookups) >= 2, "the coordinator was looked up again");
    }

    [Fact]
    public async Task A_committed_offset_lookup_is_retried_while_the_coordinator_loads()
    {
        int fetches = 0;
        ScriptedCluster? self = null;
        await using var cluster = new ScriptedCluster((api, _) => api switch
        {
            ApiKey.FindCoordinator => Here(self!),
            ApiKey.OffsetFetch => new OffsetFetchResponse
            {
                ErrorCode = Interlocked.Increment(ref fetches) == 1 ? (short)ErrorCode.CoordinatorLoadInProgress : (short)0,
                Topics =
                [
                    new OffsetFetchResponse.OffsetFetchResponseTopic
                    {
                        Name = "t",
                        Partitions = [new OffsetFetchResponse.OffsetFetchResponsePartition { PartitionIndex = 0, CommittedOffset = 42, Metadata = string.Empty }],
                    },
                ],
            },
            _ => null,
        });
        self = cluster;
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(cluster));

        IReadOnlyList<TopicPartitionOffset> committed = await consumer.CommittedAsync([new TopicPartition("t", 0)]).WaitAsync(ConsumerTestKit.HangGuard);

        Assert.Equal(42, Assert.Single(committed).Offset);
        Assert.Equal(2, Volatile.Read(ref fetches));
    }

    [Fact]
    public async Task A_commit_refused_for_a_stale_generation_fails_clearly()
    {
        ScriptedCluster? self = null;
        await using var cluster = new ScriptedCluster((api, _) => api switch
        {
            ApiKey.FindCoordinator => Here(self!),
            ApiKey.OffsetCommit => new OffsetCommitResponse
            {
                Topics =
                [
                    new OffsetCommitResponse.OffsetCommitResponseTopic
                    {
                        Name = "t",
                        Partitions = [new OffsetCommitResponse.OffsetCommitResponsePartition { PartitionIndex = 0, ErrorCode = (short)ErrorCode.IllegalGeneration }],
                    },
                ],
            },
            _ => null,
        });
        self = cluster;
        await using var consumer = new KafkaConsumer<Ignore, Ignore>(Options(cluster));

        KafkaException error = await Assert.ThrowsAsync<KafkaException>(() => consumer.CommitAsync([new TopicPartitionOffset("t", 0, 5)]).WaitAsync(ConsumerTestKit.HangGuard));
        Assert.Equal(ErrorCode.IllegalGeneration, error.Error);
        Assert.Contains("no longer part of the group", error.Message, StringComparison.Ordinal);
    }
}
