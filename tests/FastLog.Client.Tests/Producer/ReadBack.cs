using Confluent.Kafka;

namespace FastLog.Client.Tests.Producer;

/// <summary>Reads topics back with Confluent.Kafka (librdkafka): an independent check of what the FastLog producer wrote.</summary>
internal static class ReadBack
{
    /// <summary>Only catches a call that never returns; not a speed check.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    /// <summary>Every record of every partition from the start to the high watermark, by partition, in offset order.</summary>
    public static Dictionary<int, List<ConsumeResult<byte[]?, byte[]?>>> All(string bootstrap, string topic, int partitions)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "producer-tests-assign-only",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        var result = new Dictionary<int, List<ConsumeResult<byte[]?, byte[]?>>>();
        var high = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        for (int p = 0; p < partitions; p++)
        {
            high[p] = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value;
            result[p] = [];
            assignment.Add(new TopicPartitionOffset(topic, p, Offset.Beginning));
        }

        consumer.Assign(assignment);
        DateTime deadline = DateTime.UtcNow + HangGuard;
        while (result.Any(r => (r.Value.Count == 0 ? 0 : r.Value[^1].Offset.Value + 1) < high[r.Key]))
        {
            Assert.True(DateTime.UtcNow < deadline, $"reading {topic} back did not finish");
            ConsumeResult<byte[]?, byte[]?>? consumed = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (consumed is null || consumed.IsPartitionEOF)
            {
                continue;
            }

            result[consumed.Partition.Value].Add(consumed);
        }

        consumer.Close();
        return result;
    }
}
