using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace FastLog.Bench.Harness;

/// <summary>
/// Creates each scenario's topic through Confluent.Kafka's admin client, whatever client is under
/// test: setting up is not measured, and one path works against every broker the harness targets.
/// librdkafka's mock cluster names no controller, so CreateTopics cannot reach it; there the topic
/// is auto-created by a metadata request, with the mock's fixed partition count (4), and a
/// scenario uses the first <c>partitions</c> of them.
/// </summary>
internal static class TopicAdmin
{
    public static async Task CreateAsync(string bootstrap, string topic, int partitions, bool autoCreate)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        if (!autoCreate)
        {
            try
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
            }
            catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
            {
                // A rerun with the same name: the topic is there.
            }
        }

        // Wait until metadata shows a leader for every partition, so the first sends do not race creation.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
            var t = metadata.Topics.FirstOrDefault(x => x.Topic == topic);
            if (t is not null && !t.Error.IsError && t.Partitions.Count > 0 && t.Partitions.All(p => p.Leader >= 0))
            {
                if (t.Partitions.Count < partitions || (!autoCreate && t.Partitions.Count != partitions))
                {
                    throw new InvalidOperationException(autoCreate
                        ? $"{topic}: the broker auto-created {t.Partitions.Count} partitions, fewer than the scenario's {partitions} (librdkafka's mock cluster makes 4)"
                        : $"{topic}: {t.Partitions.Count} partitions, expected {partitions}");
                }

                return;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"{topic}: not every one of {partitions} partitions has a leader after 30 s ({t?.Error})");
            }

            await Task.Delay(50);
        }
    }
}
