using System.Collections.Concurrent;
using Confluent.Kafka;

namespace FastLog.Server.Tests.Groups;

/// <summary>
/// One group consumer on its own thread (librdkafka consumers are used from one thread): records what
/// it consumes, commits whenever it has caught up, and on <see cref="StopAsync"/> commits and closes
/// (sending LeaveGroup).
/// </summary>
internal sealed class GroupWorker
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile int _assigned;
    private int _revocations;

    public GroupWorker(string bootstrap, string groupId, string topic, ConcurrentBag<(int Partition, long Offset)> consumed, PartitionAssignmentStrategy strategy = PartitionAssignmentStrategy.Range)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 6000,
            HeartbeatIntervalMs = 300,
            PartitionAssignmentStrategy = strategy,
            TopicMetadataRefreshIntervalMs = 1000,
        };
        _loop = Task.Factory.StartNew(() => Run(config, topic, consumed), TaskCreationOptions.LongRunning);
    }

    /// <summary>Partitions currently assigned (updated by the consumer thread).</summary>
    public int AssignedCount => _assigned;

    /// <summary>
    /// How often partitions were revoked or lost. Records read but not yet committed when that happens are read
    /// again by the next owner (at-least-once), so exactly-once checks hold only between rebalances.
    /// </summary>
    public int RevocationCount => Volatile.Read(ref _revocations);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    private void Run(ConsumerConfig config, string topic, ConcurrentBag<(int Partition, long Offset)> consumed)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(config)
            .SetPartitionsRevokedHandler((_, _) => Interlocked.Increment(ref _revocations))
            .SetPartitionsLostHandler((_, _) => Interlocked.Increment(ref _revocations))
            .Build();
        consumer.Subscribe(topic);
        bool uncommitted = false;
        while (!_stop.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            _assigned = consumer.Assignment.Count;
            if (result is { IsPartitionEOF: false, Message: not null })
            {
                consumed.Add((result.Partition.Value, result.Offset.Value));
                uncommitted = true;
                continue;
            }

            if (uncommitted)
            {
                uncommitted = !TryCommit(consumer);
            }
        }

        TryCommit(consumer);
        consumer.Close();
    }

    private static bool TryCommit(IConsumer<Ignore, string> consumer)
    {
        try
        {
            consumer.Commit();
            return true;
        }
        catch (KafkaException)
        {
            // A rebalance in progress or nothing to commit: the next idle moment retries.
            return false;
        }
    }
}
