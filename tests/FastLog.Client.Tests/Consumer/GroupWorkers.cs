using System.Collections.Concurrent;
using FastLog.Client.Consumer;
using FastLog.Client.Serialization;
using CK = Confluent.Kafka;

namespace FastLog.Client.Tests.Consumer;

/// <summary>A group member that reads on its own task until stopped.</summary>
internal interface IGroupWorker
{
    string Name { get; }

    IReadOnlyList<TopicPartition> Assignment { get; }

    Task StopAsync();
}

/// <summary>A FastLog consumer reading through ReadAllAsync, recording each (partition, offset) and every rebalance step.</summary>
internal sealed class FastLogWorker : IGroupWorker
{
    private readonly KafkaConsumer<Ignore, Ignore> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile IReadOnlyList<TopicPartition> _assignment = [];

    public FastLogWorker(string name, ConsumerOptions options, string topic, ConcurrentBag<(int Partition, long Offset)> consumed)
    {
        Name = name;
        _consumer = new KafkaConsumer<Ignore, Ignore>(options);
        _consumer.PartitionsAssigned += (_, e) =>
        {
            Events.Enqueue(("assigned", e.Partitions));
            _assignment = _consumer.Assignment;
        };
        _consumer.PartitionsRevoked += (_, e) =>
        {
            Events.Enqueue(("revoked", e.Partitions));
            _assignment = [.. _consumer.Assignment.Except(e.Partitions)];
        };
        _consumer.PartitionsLost += (_, e) =>
        {
            Events.Enqueue(("lost", e.Partitions));
            _assignment = [.. _consumer.Assignment.Except(e.Partitions)];
        };
        _consumer.Subscribe(topic);
        _loop = Task.Run(() => RunAsync(consumed));
    }

    public string Name { get; }

    public IReadOnlyList<TopicPartition> Assignment => _assignment;

    /// <summary>Rebalance steps in order, as the handlers saw them.</summary>
    public ConcurrentQueue<(string Kind, IReadOnlyList<TopicPartition> Partitions)> Events { get; } = new();

    public ConcurrentQueue<Exception> Errors { get; } = new();

    public KafkaConsumer<Ignore, Ignore> Consumer => _consumer;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _consumer.DisposeAsync();
    }

    private async Task RunAsync(ConcurrentBag<(int Partition, long Offset)> consumed)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (ConsumedRecord record in _consumer.ReadAllAsync(_stop.Token))
                {
                    consumed.Add((record.Partition, record.Offset));
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (KafkaException e)
            {
                Errors.Enqueue(e);
            }
        }
    }
}

/// <summary>A Confluent.Kafka (librdkafka) consumer in the same group, committing after what it read, as an application would.</summary>
internal sealed class ConfluentWorker : IGroupWorker
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile IReadOnlyList<TopicPartition> _assignment = [];

    public ConfluentWorker(string name, string bootstrap, string groupId, string topic, CK.PartitionAssignmentStrategy strategy, ConcurrentBag<(int Partition, long Offset)> consumed)
    {
        Name = name;
        var config = new CK.ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            AutoOffsetReset = CK.AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            SessionTimeoutMs = 10000,
            HeartbeatIntervalMs = 500,
            PartitionAssignmentStrategy = strategy,
            TopicMetadataRefreshIntervalMs = 1000,
        };
        _loop = Task.Factory.StartNew(() => Run(config, topic, consumed), TaskCreationOptions.LongRunning);
    }

    public string Name { get; }

    public IReadOnlyList<TopicPartition> Assignment => _assignment;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    private void Run(CK.ConsumerConfig config, string topic, ConcurrentBag<(int Partition, long Offset)> consumed)
    {
        using var consumer = new CK.ConsumerBuilder<CK.Ignore, CK.Ignore>(config).Build();
        consumer.Subscribe(topic);
        bool uncommitted = false;
        while (!_stop.IsCancellationRequested)
        {
            CK.ConsumeResult<CK.Ignore, CK.Ignore>? result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            _assignment = [.. consumer.Assignment.Select(p => new TopicPartition(p.Topic, p.Partition.Value)).Order()];
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

    private static bool TryCommit(CK.IConsumer<CK.Ignore, CK.Ignore> consumer)
    {
        try
        {
            consumer.Commit();
            return true;
        }
        catch (CK.KafkaException)
        {
            // A rebalance in progress or nothing to commit: the next idle moment retries.
            return false;
        }
    }
}
