using FastLog.Server.Tests.Support;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Broker;
using Microsoft.Extensions.Logging;

namespace FastLog.Server.Tests.Fuzz;

/// <summary>
/// Found by the fuzz run: a Metadata v10 or v11 request naming a topic by id only (null name) made the
/// handler build an answer with a null topic name, which those versions cannot encode; the encoder threw
/// InvalidOperationException and the broker logged "request processing failed" at Error level.
/// Topic ids in Metadata requests need v12, as in Kafka: the request is refused and the connection closed.
/// </summary>
public sealed class MetadataTopicIdTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    public async Task A_topic_by_id_before_v12_closes_the_connection_with_one_warning(short version)
    {
        var logs = new CountingLoggerProvider();
        await using var broker = await FastLogBroker.StartAsync(new FastLogBrokerOptions { LoggerFactory = logs });
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = null, TopicId = Guid.NewGuid() }], AllowAutoTopicCreation = false };
        using (var client = await WireClient.ConnectAsync(broker.LocalEndPoint))
        {
            await Assert.ThrowsAsync<IOException>(() => client.SendAsync<MetadataResponse>(request, version));
        }

        using (var client = await WireClient.ConnectAsync(broker.LocalEndPoint))
        {
            var answer = await client.SendAsync<MetadataResponse>(request, 12);
            Assert.Equal((short)ErrorCode.UnknownTopicId, answer.Topics.Single().ErrorCode);
        }

        await broker.StopAsync();
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
    }
}
