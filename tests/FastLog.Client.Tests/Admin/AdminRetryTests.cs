using FastLog.Client.Admin;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using static FastLog.Client.Tests.Admin.AdminTestKit;

namespace FastLog.Client.Tests.Admin;

/// <summary>Retriable answers are retried with fresh metadata or a new coordinator lookup; others fail at once.</summary>
public sealed class AdminRetryTests
{
    private static AdminOptions Options(ScriptedCluster cluster) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        RetryBackoff = TimeSpan.FromMilliseconds(10),
    };

    [Fact]
    public async Task Not_controller_refreshes_metadata_and_sends_again()
    {
        ScriptedCluster? cluster = null;
        await using var scripted = cluster = new ScriptedCluster((api, n) => api switch
        {
            ApiKey.Metadata => cluster!.Metadata(),
            ApiKey.CreateTopics => new CreateTopicsResponse
            {
                Topics = [new CreateTopicsResponse.CreatableTopicResult { Name = "t", ErrorCode = (short)(n == 1 ? ErrorCode.NotController : ErrorCode.None), NumPartitions = 1, ReplicationFactor = 1 }],
            },
            _ => throw new InvalidOperationException($"unexpected {api}"),
        });
        await using var admin = new KafkaAdminClient(Options(scripted));

        CreatedTopic created = Assert.Single(await admin.CreateTopicsAsync([new NewTopic("t", 1)]).WaitAsync(HangGuard));

        Assert.Equal("t", created.Name);
        Assert.Equal([ApiKey.Metadata, ApiKey.CreateTopics, ApiKey.Metadata, ApiKey.CreateTopics], scripted.Received);
    }

    [Fact]
    public async Task Coordinator_loading_looks_the_coordinator_up_again_and_the_assignment_is_decoded()
    {
        byte[] assignment = ConsumerProtocolAssignment.Encode(0, [new("orders", 1), new("orders", 0)]);
        ScriptedCluster? cluster = null;
        await using var scripted = cluster = new ScriptedCluster((api, n) => api switch
        {
            ApiKey.Metadata => cluster!.Metadata(),
            ApiKey.FindCoordinator => cluster!.Coordinator("g"),
            ApiKey.DescribeGroups => new DescribeGroupsResponse
            {
                Groups =
                [
                    n < 3
                        ? new DescribeGroupsResponse.DescribedGroup { GroupId = "g", ErrorCode = (short)ErrorCode.CoordinatorLoadInProgress }
                        : new DescribeGroupsResponse.DescribedGroup
                        {
                            GroupId = "g",
                            GroupState = "Stable",
                            ProtocolType = "consumer",
                            ProtocolData = "range",
                            Members = [new DescribeGroupsResponse.DescribedGroupMember { MemberId = "m-1", ClientId = "c", ClientHost = "/10.0.0.1", MemberAssignment = assignment }],
                        },
                ],
            },
            _ => throw new InvalidOperationException($"unexpected {api}"),
        });
        await using var admin = new KafkaAdminClient(Options(scripted));

        GroupDescription group = Assert.Single(await admin.DescribeGroupsAsync(["g"]).WaitAsync(HangGuard));

        Assert.Equal(GroupState.Stable, group.State);
        Assert.Equal([new TopicAndPartition("orders", 1), new TopicAndPartition("orders", 0)], Assert.Single(group.Members).Assignment);
        Assert.Equal(3, scripted.Received.Count(a => a == ApiKey.FindCoordinator));
    }

    [Fact]
    public async Task A_retriable_error_that_persists_fails_once_the_request_timeout_is_spent()
    {
        ScriptedCluster? cluster = null;
        await using var scripted = cluster = new ScriptedCluster((api, n) => api switch
        {
            ApiKey.Metadata => cluster!.Metadata(),
            ApiKey.DeleteTopics => new DeleteTopicsResponse
            {
                Responses = [new DeleteTopicsResponse.DeletableTopicResult { Name = "t", ErrorCode = (short)ErrorCode.NotController }],
            },
            _ => throw new InvalidOperationException($"unexpected {api}"),
        });
        var options = Options(scripted);
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        await using var admin = new KafkaAdminClient(options);

        var e = await Assert.ThrowsAsync<KafkaException>(() => admin.DeleteTopicsAsync(["t"]).WaitAsync(HangGuard));

        Assert.Equal(ErrorCode.NotController, e.Error);
        Assert.True(scripted.Received.Count(a => a == ApiKey.DeleteTopics) > 1);
    }
}
