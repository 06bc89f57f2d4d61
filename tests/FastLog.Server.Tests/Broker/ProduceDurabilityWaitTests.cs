using FastLog.Engine.Log;
using FastLog.Protocol;
using FastLog.Protocol.Messages;
using FastLog.Server.Requests;

namespace FastLog.Server.Tests.Broker;

/// <summary>How an acks=all produce waits for its partitions' fsyncs.</summary>
public sealed class ProduceDurabilityWaitTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("fastlog-produce-wait-");
    private readonly List<PartitionLog> _logs = [];

    [Fact]
    public async Task Every_partition_wait_starts_before_the_first_is_awaited_and_each_failure_answers_its_own_partition()
    {
        // Under the default policy a wait is what asks for the partition's fsync: started one after another,
        // a request's partitions would be fsynced one after another.
        var response = Response("t", partitions: 3);
        var waits = new List<(PartitionLog Log, long EndOffset)> { (Log("t", 0), 5), (Log("t", 1), 7), (Log("t", 2), 9) };
        var pending = waits.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var started = new List<(int Partition, long EndOffset)>();

        var answer = ProduceHandler.WaitForDurabilityAsync(response, waits, (log, endOffset) =>
        {
            started.Add((log.TopicPartition.Partition, endOffset));
            return new ValueTask(pending[log.TopicPartition.Partition].Task);
        });

        Assert.Equal([(0, 5L), (1, 7L), (2, 9L)], started);
        Assert.False(answer.IsCompleted);

        // Completed out of order: the answer waits for all of them.
        pending[2].SetException(new ObjectDisposedException("partition 2"));
        pending[1].SetException(new IOException("fsync failed"));
        Assert.False(answer.IsCompleted);
        pending[0].SetResult();

        var result = (ProduceResponse)(await answer.AsTask().WaitAsync(TimeSpan.FromMinutes(1)))!;
        var partitions = result.Responses.Single().PartitionResponses;
        Assert.Equal(0, partitions[0].ErrorCode);
        Assert.Equal(AppendResult.KafkaStorageErrorCode, partitions[1].ErrorCode);
        Assert.Equal(-1, partitions[1].BaseOffset);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, partitions[2].ErrorCode);
    }

    [Fact]
    public async Task A_wait_that_throws_at_once_fails_only_its_partition()
    {
        var response = Response("u", partitions: 2);
        var waits = new List<(PartitionLog Log, long EndOffset)> { (Log("u", 0), 1), (Log("u", 1), 1) };

        var answer = await ProduceHandler.WaitForDurabilityAsync(response, waits, (log, _) =>
            log.TopicPartition.Partition == 0 ? throw new IOException("sync failed inline") : ValueTask.CompletedTask);

        var partitions = ((ProduceResponse)answer!).Responses.Single().PartitionResponses;
        Assert.Equal(AppendResult.KafkaStorageErrorCode, partitions[0].ErrorCode);
        Assert.Equal(0, partitions[1].ErrorCode);
    }

    public void Dispose()
    {
        foreach (var log in _logs)
        {
            log.Dispose();
        }

        _root.Delete(recursive: true);
    }

    private static ProduceResponse Response(string topic, int partitions)
    {
        var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic };
        for (int p = 0; p < partitions; p++)
        {
            topicResponse.PartitionResponses.Add(new ProduceResponse.PartitionProduceResponse { Index = p, BaseOffset = 100 + p });
        }

        var response = new ProduceResponse();
        response.Responses.Add(topicResponse);
        return response;
    }

    private PartitionLog Log(string topic, int partition)
    {
        var log = PartitionLog.Open(new PartitionLogOptions
        {
            Directory = Path.Combine(_root.FullName, $"{topic}-{partition}"),
            TopicPartition = new TopicPartition(topic, partition),
        });
        _logs.Add(log);
        return log;
    }
}
